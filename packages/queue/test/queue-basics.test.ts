import { describe, expect, it } from 'vitest';
import { contentId, parseRedisUrl, queueUrl, redact, studyPrefix, versionDifferences, type CellJobData } from '../src/index.js';

describe('queue URLs', () => {
  it('parses host, port, db, user, password and TLS; defaults port 6379 and db 0', () => {
    expect(parseRedisUrl('redis://localhost')).toMatchObject({ host: 'localhost', port: 6379, db: 0, tls: false, password: undefined });
    expect(parseRedisUrl('rediss://alice:p%40ss@10.0.0.5:6380/3')).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      db: 3,
      username: 'alice',
      password: 'p@ss',
      tls: true,
      display: 'rediss://alice:***@10.0.0.5:6380/3',
    });
    expect(parseRedisUrl('redis://:secret@[::1]:7000')).toMatchObject({ host: '::1', port: 7000, password: 'secret', display: 'redis://:***@[::1]:7000' });
    expect(parseRedisUrl('redis://h:1', { REDIS_PASSWORD: 'envpw' }).password).toBe('envpw');
  });

  it('rejects what is not a redis URL, naming the problem without the password', () => {
    expect(() => parseRedisUrl('localhost:6379')).toThrow(/scheme localhost is not redis or rediss/);
    expect(() => parseRedisUrl('http://h:1')).toThrow(/scheme http is not redis/);
    expect(() => parseRedisUrl('redis://:pw@h:1/x')).toThrow(/database "x" is not a number/);
    expect(() => parseRedisUrl('not a url')).toThrow(/not a URL/);
    try {
      parseRedisUrl('redis://:topsecret@h:1/abc');
    } catch (err) {
      expect((err as Error).message).not.toContain('topsecret');
      expect((err as Error).message).toContain('redis://:***@h:1/abc');
    }
  });

  it('takes --queue, else REDIS_URL; redacts passwords only', () => {
    expect(queueUrl('redis://a:1', { REDIS_URL: 'redis://b:2' })).toBe('redis://a:1');
    expect(queueUrl('', { REDIS_URL: 'redis://b:2' })).toBe('redis://b:2');
    expect(queueUrl(undefined, {})).toBeUndefined();
    expect(redact('redis://h:6379/0')).toBe('redis://h:6379/0');
    expect(redact('redis://user:pw@h:6379')).toBe('redis://user:***@h:6379');
  });

  it('study prefixes are plain key segments', () => {
    expect(studyPrefix('omniprune-r56.v2')).toBe('omniprune-r56.v2');
    expect(() => studyPrefix('a:b')).toThrow(/bad queue prefix/);
    expect(() => studyPrefix('')).toThrow(/bad queue prefix/);
  });
});

describe('cell job ids and versions', () => {
  const data: CellJobData = {
    bench: 'b',
    cellId: 'c',
    pipeline: { seed: 1, model: { path: './m.json', x: [1, 2] } },
    versions: { '@omniprune/core': '0.1.0' },
  };

  it('hash the content: key order does not matter, any change does', () => {
    const reordered: CellJobData = { versions: data.versions, pipeline: { model: { x: [1, 2], path: './m.json' }, seed: 1 }, cellId: 'c', bench: 'b' };
    expect(contentId('cell', reordered)).toBe(contentId('cell', data));
    expect(contentId('cell', data)).toMatch(/^cell-[0-9a-f]{24}$/);
    expect(contentId('cell', { ...data, pipeline: { ...data.pipeline, seed: 2 } })).not.toBe(contentId('cell', data));
    expect(contentId('cell', { ...data, versions: { '@omniprune/core': '0.2.0' } })).not.toBe(contentId('cell', data));
  });

  it('version differences name each package with both versions', () => {
    expect(versionDifferences({ a: '1', b: '2' }, { a: '1', b: '2' })).toEqual([]);
    expect(versionDifferences({ a: '1', b: '2' }, { a: '1', b: '3', c: '1' })).toEqual(['b 2/3', 'c missing/1']);
  });
});

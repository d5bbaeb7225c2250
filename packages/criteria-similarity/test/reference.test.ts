import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { outputKlSimilarity, predictionAgreement, procrustesSimilarity, pwcca, rsa, svcca } from '../src/index.js';

interface Case {
  name: string;
  x: number[][];
  y: number[][];
  logitsX: number[][];
  logitsY: number[][];
  procrustes: number;
  svcca: number;
  svcca90: number;
  pwcca: number;
  rsa: number;
  outputKl: number;
  agreement: number;
}
const { cases } = JSON.parse(readFileSync(new URL('./fixtures/similarity-reference.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe.each(cases)('numpy reference values: $name', (c) => {
  it('procrustes, svcca, pwcca, rsa', () => {
    expect(procrustesSimilarity(c.x, c.y)).toBeCloseTo(c.procrustes, 9);
    expect(svcca(c.x, c.y)).toBeCloseTo(c.svcca, 9);
    expect(svcca(c.x, c.y, { keep: 0.9 })).toBeCloseTo(c.svcca90, 9);
    expect(pwcca(c.x, c.y)).toBeCloseTo(c.pwcca, 9);
    expect(rsa(c.x, c.y)).toBeCloseTo(c.rsa, 9);
  });

  it('output-level baselines on logits', () => {
    expect(outputKlSimilarity(c.logitsX, c.logitsY)).toBeCloseTo(c.outputKl, 9);
    expect(predictionAgreement(c.logitsX, c.logitsY)).toBeCloseTo(c.agreement, 12);
  });
});

import { describe, expect, it, vi } from 'vitest';

// Root reads any file, so the EACCES a non-root user gets from `energy_uj` (root-only since Linux 5.10) is mocked.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    readdirSync: () => ['intel-rapl', 'intel-rapl:0', 'intel-rapl:0:0'],
    readFileSync: (file: string) => {
      throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' });
    },
  };
});

const { createEnergyMeter, readRaplEnergy } = await import('../src/energy/index.js');

describe('RAPL counters not readable', () => {
  it('explain EACCES and what to do, and the meter falls back to the estimate', () => {
    expect(readRaplEnergy('/sys/class/powercap')).toEqual({
      ok: false,
      reason: expect.stringMatching(/not readable \(EACCES; root-only.*chmod a\+r \/sys\/class\/powercap\/intel-rapl:\*\/energy_uj/),
    });
    const meter = createEnergyMeter({
      exec: () => {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
    });
    expect([meter.source, meter.estimated, meter.skipped[0]]).toEqual(['cpu-time-estimate', true, expect.stringMatching(/^rapl: .*EACCES/)]);
  });
});

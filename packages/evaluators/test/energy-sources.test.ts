import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cpuTimeJoules,
  createEnergyMeter,
  gramsCo2,
  parseNvidiaEnergy,
  raplJoules,
  readNvidiaEnergy,
  readRaplEnergy,
  type ExecCommand,
} from '../src/energy/index.js';
import { fakePowercap, setCounter } from './fixtures/energy/powercap.js';

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

async function tree(...zones: Parameters<typeof fakePowercap>[0]): Promise<string> {
  const root = await fakePowercap(zones);
  roots.push(root);
  return root;
}

const noNvidiaSmi: ExecCommand = () => {
  throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
};

describe('RAPL reader', () => {
  let root: string;
  beforeAll(async () => {
    root = await tree(
      { dir: 'intel-rapl:0', name: 'package-0', energyUj: 900_000, maxEnergyRangeUj: 1_000_000 },
      { dir: 'intel-rapl:0:0', name: 'core', energyUj: 123_456_789, maxEnergyRangeUj: 1_000_000_000 },
      { dir: 'intel-rapl:0:1', name: 'dram', energyUj: 5_000, maxEnergyRangeUj: 1_000_000_000 },
      { dir: 'intel-rapl:1', name: 'package-1', energyUj: 10_000_000, maxEnergyRangeUj: 262_143_328_850 },
    );
  });

  it('reads only the top-level package zones', async () => {
    const r = readRaplEnergy(root);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.zones).toEqual([
      { zone: 'intel-rapl:0', name: 'package-0', energyUj: 900_000, maxEnergyRangeUj: 1_000_000 },
      { zone: 'intel-rapl:1', name: 'package-1', energyUj: 10_000_000, maxEnergyRangeUj: 262_143_328_850 },
    ]);
  });

  it('unwraps a counter that went past max_energy_range_uj and sums the packages', async () => {
    const before = readRaplEnergy(root);
    await setCounter(root, 'intel-rapl:0', 100_000); // wrapped: 900k -> 1M -> 100k = 200k uJ
    await setCounter(root, 'intel-rapl:0:0', 0); // subzone changes must not count
    await setCounter(root, 'intel-rapl:1', 13_000_000); // +3 J
    const after = readRaplEnergy(root);
    if (!before.ok || !after.ok) throw new Error('fake tree unreadable');
    expect(raplJoules(before.zones, after.zones)).toBeCloseTo(0.2 + 3, 9);
    expect(raplJoules(after.zones, after.zones)).toBe(0);
  });

  it('skips a psys zone when package zones exist (it contains them)', async () => {
    const r = readRaplEnergy(
      await tree(
        { dir: 'intel-rapl:0', name: 'package-0', energyUj: 1, maxEnergyRangeUj: 10 },
        { dir: 'intel-rapl:1', name: 'psys', energyUj: 2, maxEnergyRangeUj: 10 },
      ),
    );
    expect(r.ok && r.zones.map((z) => z.name)).toEqual(['package-0']);
  });

  it('reports a missing tree, no zones or an unreadable counter instead of throwing', async () => {
    const missing = readRaplEnergy(join(root, 'nowhere'));
    expect(missing).toEqual({ ok: false, reason: expect.stringMatching(/no RAPL powercap tree/) });
    const empty = await tree();
    expect(readRaplEnergy(empty)).toEqual({ ok: false, reason: expect.stringMatching(/no intel-rapl:N zones/) });
    const broken = await tree({ dir: 'intel-rapl:0', name: 'package-0', energyUj: 1, maxEnergyRangeUj: 10 });
    await rm(join(broken, 'intel-rapl:0', 'energy_uj'));
    await mkdir(join(broken, 'intel-rapl:0', 'energy_uj')); // EISDIR, as unreadable as EACCES
    expect(readRaplEnergy(broken)).toEqual({ ok: false, reason: expect.stringMatching(/unreadable/) });
    await rm(join(broken, 'intel-rapl:0', 'energy_uj'), { recursive: true });
    await writeFile(join(broken, 'intel-rapl:0', 'energy_uj'), 'n/a\n');
    expect(readRaplEnergy(broken).ok).toBe(false);
  });
});

describe('energy meter', () => {
  it('accumulates RAPL joules across reads, through a wrap-around', async () => {
    const root = await tree({ dir: 'intel-rapl:0', name: 'package-0', energyUj: 800_000, maxEnergyRangeUj: 1_000_000 });
    const meter = createEnergyMeter({ raplRoot: root, exec: noNvidiaSmi });
    expect([meter.source, meter.estimated]).toEqual(['rapl', false]);
    await setCounter(root, 'intel-rapl:0', 950_000);
    expect(meter.read()).toBeCloseTo(0.15, 9);
    await setCounter(root, 'intel-rapl:0', 50_000); // wrapped: +100k
    expect(meter.read()).toBeCloseTo(0.25, 9);
  });

  it('uses nvidia-smi (millijoules per GPU) when RAPL is unavailable', async () => {
    const outputs = ['1500\n2500\n', '1500\n2500\n', '2500\n4500\n'];
    const calls: string[][] = [];
    const exec: ExecCommand = (file, args) => {
      calls.push([file, ...args]);
      return outputs.shift()!;
    };
    const meter = createEnergyMeter({ raplRoot: '/nonexistent', exec });
    expect(meter.source).toBe('nvml');
    expect(meter.skipped).toEqual([expect.stringMatching(/^rapl: no RAPL/)]);
    expect(meter.read()).toBe(0);
    expect(meter.read()).toBe(3);
    expect(calls[0]).toEqual(['nvidia-smi', '--query-gpu=total_energy_consumption', '--format=csv,noheader,nounits']);
  });

  it('falls back to a CPU-time estimate labelled estimated', async () => {
    let usage = { user: 1_000_000, system: 0 };
    const meter = createEnergyMeter({ raplRoot: '/nonexistent', exec: noNvidiaSmi, cpuUsage: () => usage, wattsPerCore: 12 });
    expect([meter.source, meter.estimated]).toEqual(['cpu-time-estimate', true]);
    expect(meter.skipped).toEqual([expect.stringMatching(/^rapl:/), 'nvml: no nvidia-smi on PATH']);
    usage = { user: 2_500_000, system: 500_000 }; // +2 core-seconds
    expect(meter.read()).toBeCloseTo(24, 9);
  });

  it('honours an explicit source', async () => {
    const root = await tree({ dir: 'intel-rapl:0', name: 'package-0', energyUj: 1, maxEnergyRangeUj: 10 });
    expect(createEnergyMeter({ source: 'cpu-time-estimate', raplRoot: root }).source).toBe('cpu-time-estimate');
    const m = createEnergyMeter({ source: 'nvml', raplRoot: root, exec: noNvidiaSmi });
    expect([m.source, m.skipped]).toEqual(['cpu-time-estimate', ['nvml: no nvidia-smi on PATH']]);
  });
});

describe('pure conversions', () => {
  it('parses nvidia-smi output and rejects unsupported counters', () => {
    expect(parseNvidiaEnergy('1500\n2500\n')).toBe(4);
    expect(parseNvidiaEnergy('[N/A]\n')).toBeNull();
    expect(parseNvidiaEnergy('1500\n[Not Supported]\n')).toBeNull();
    expect(parseNvidiaEnergy('')).toBeNull();
    expect(readNvidiaEnergy(() => '[N/A]\n')).toEqual({ ok: false, reason: expect.stringMatching(/no total_energy_consumption/) });
  });

  it('converts CPU time and joules', () => {
    expect(cpuTimeJoules({ user: 1_500_000, system: 500_000 }, 10)).toBe(20);
    expect(cpuTimeJoules({ user: 1_000_000, system: 0 })).toBe(10);
    expect(gramsCo2(3.6e6, 475)).toBeCloseTo(475, 9);
    expect(gramsCo2(3.6e6)).toBeCloseTo(475, 9);
    expect(gramsCo2(1000, 100)).toBeCloseTo(100 / 3600, 12);
  });
});

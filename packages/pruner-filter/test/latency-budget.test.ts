import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans } from '@omniprune/core/graph';
import { countCost } from '@omniprune/core/metrics';
import { testPluginContext } from '@omniprune/core';
import { tfjsInferenceRunner, type InferenceRunner } from '@omniprune/core/prune';
import type { RemoveChannelsPlan } from '@omniprune/plugin-api';
import { filterPruner, nextFraction, searchLatency, type ProbeFn } from '../src/index.js';
import { proposeContext, useCpu } from '@omniprune/core/testing';
import { resnet20 } from './helpers.js';

beforeAll(useCpu);

/** A probe whose time saving is `rate x fraction`, removing `round(100 x fraction)` units in one group. */
const linear =
  (rate: number): ProbeFn =>
  async (fraction) => ({ counts: [Math.round(100 * fraction)], achieved: rate * fraction });

describe('latency budget search', () => {
  it('rescales the FLOPs fraction by the time saved, doubles it when nothing was saved, clamps', () => {
    expect(nextFraction(0.1, 0.055, 0.1)).toBeCloseTo(0.2, 12); // aims at 1.1 x the target
    expect(nextFraction(0.2, 0.44, 0.1)).toBeCloseTo(0.05, 12);
    expect(nextFraction(0.1, 0, 0.1)).toBeCloseTo(0.2, 12);
    expect(nextFraction(0.1, -0.3, 0.1)).toBeCloseTo(0.2, 12); // slower: try bigger cuts
    expect(nextFraction(0.8, 0.1, 0.5)).toBe(0.95);
    expect(nextFraction(0.01, 0.9, 0.1)).toBe(0.005);
  });

  it('time saving half the FLOPs cut: the second probe (44 % FLOPs) reaches a 20 % target and stops', async () => {
    const logs: string[] = [];
    const best = await searchLatency(0.2, 4, linear(0.5), (m) => logs.push(m));
    expect(best.fraction).toBeCloseTo(0.44, 12);
    expect(best.achieved).toBeCloseTo(0.22, 12);
    expect(best.counts).toEqual([44]);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toBe('latency probe 1: FLOPs cut 20.0 % -> 20 units, 10.0 % faster');
  });

  it('overshoot: keeps the probe that reached the target with the fewest units', async () => {
    // saving 3x the FLOPs cut, rounded to steps of 0.3: 0.1 -> 0.3 (> 1.25 x 0.1), then 0.0333 -> 0 (< target), ...
    const stepped: ProbeFn = async (f) => ({ counts: [Math.round(1000 * f)], achieved: Math.floor((3 * f) / 0.3 + 1e-9) * 0.3 });
    const best = await searchLatency(0.1, 4, stepped, () => {});
    expect(best.achieved).toBeGreaterThanOrEqual(0.1);
    expect(best.counts).toEqual([100]); // the first probe: the smallest that reached 10 %
  });

  it('never reaching the target: the probe that saved most; stops at the 0.95 clamp or after `probes` probes', async () => {
    let calls = 0;
    const capped: ProbeFn = async (f) => {
      calls++;
      return { counts: [Math.round(100 * f)], achieved: Math.min(0.05, f / 4) };
    };
    const best = await searchLatency(0.3, 5, capped, () => {});
    expect(calls).toBe(2); // 0.3 -> 5 %, then 0.95 (clamped) -> 5 %: the next would be 0.95 again
    expect(best.achieved).toBe(0.05);
    expect(best.fraction).toBe(0.3); // equal savings: the first probe (the smaller cut) is kept
    // savings that jump between 5 % and 50 % whatever the cut never land in [10 %, 12.5 %]: the limit ends it
    calls = 0;
    const jumpy: ProbeFn = async (f) => ({ counts: [Math.round(100 * f)], achieved: calls++ % 2 === 0 ? 0.05 : 0.5 });
    const chosen = await searchLatency(0.1, 3, jumpy, () => {});
    expect(calls).toBe(3);
    expect(chosen.counts).toEqual([22]); // 0.1 -> 5 %, 0.22 -> 50 % (reached), 0.0484 -> 5 %
  });
});

/** A runner whose timed models sleep 10 ms + 40 ms x (FLOPs / `referenceFlops`): time falls slower than FLOPs. */
function sleepyRunner(referenceFlops: number): InferenceRunner {
  return {
    ...tfjsInferenceRunner,
    name: 'sleepy',
    timed: async (model) => {
      const ms = 10 + (40 * countCost(model).flops) / referenceFlops;
      return { pass: () => () => new Promise((r) => setTimeout(r, ms)), dispose: async () => {} };
    },
  };
}

describe('filter pruner, latency budget', () => {
  it('sizes the candidate by measured time: more than the same FLOPs cut, on the run runner, said in the summary', async () => {
    const model = resnet20();
    const parentFlops = countCost(model).flops;
    const logs: string[] = [];
    const ctx = { ...proposeContext(model, { logs }), runner: sleepyRunner(parentFlops) };
    const options = filterPruner.options.parse({ roundTo: 1, budget: { type: 'latency', fraction: 0.2, secondsPerProbe: 0.05 } });
    const c = (await (await filterPruner.create(options, testPluginContext())).propose(ctx))!;
    const pruned = await applyPlans(model, c.plans as RemoveChannelsPlan[]);
    const flopsCut = 1 - countCost(pruned).flops / parentFlops;
    pruned.dispose();
    // 10 ms of the 50 do not shrink: a 20 % time cut needs 25 % of the FLOPs; the first probe (20 %) saves about 16 %
    expect(flopsCut).toBeGreaterThan(0.22);
    expect(flopsCut).toBeLessThan(0.4);
    const probes = logs.filter((l) => l.includes('latency probe'));
    expect(probes.length).toBeGreaterThanOrEqual(2);
    expect(probes[0]).toMatch(/^filter: latency probe 1: FLOPs cut 20\.0 % -> \d+ units, 1\d\.\d % faster \(batch 1, sleepy\)$/);
    expect(c.summary).toMatch(/, 2\d\.\d % faster measured\)$/);
    model.dispose();
  });
});

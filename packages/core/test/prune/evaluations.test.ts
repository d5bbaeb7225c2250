import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvaluator, type EvaluationContext, type Evaluator } from '@omniprune/plugin-api';
import { registerPlugin, runPipeline, validatePipeline, type PipelineEvent } from '../../src/index.js';
import { testContainer, tinyDataset, tinyPipeline, useWasm } from '../../src/testing/index.js';

beforeAll(useWasm);

interface Seen {
  phase: string;
  iteration: number;
  reference: number | undefined;
  pixelRange: readonly number[];
}

/** A test evaluator: accuracy on the runner, and what it was shown (phase, iteration, the reference's result). */
function probe(seen: Seen[], training: string[]) {
  return defineEvaluator({
    name: 'probe',
    description: 'test',
    options: z.object({}),
    create: (): Evaluator => ({
      name: 'probe',
      observeTraining: (phase, event) => training.push(`${phase}:${event}`),
      async evaluate(model, ctx: EvaluationContext) {
        const { accuracy } = await ctx.runner.evaluate(model, ctx.test);
        seen.push({ phase: ctx.phase, iteration: ctx.iteration, reference: ctx.reference?.result.metrics.params, pixelRange: ctx.pixelRange });
        return { metrics: { params: model.countParams(), accuracy }, headline: 'accuracy', summary: `${model.countParams()} params` };
      },
    }),
  });
}

/** An evaluator that fails on every winner (a missing runtime, a plugin bug). */
const flaky = defineEvaluator({
  name: 'flaky',
  description: 'test',
  options: z.object({}),
  create: (): Evaluator => ({
    name: 'flaky',
    async evaluate(_model, ctx) {
      if (ctx.phase !== 'baseline') throw new Error('onnxruntime went away');
      return { metrics: { ok: 1 }, summary: 'ok' };
    },
  }),
});

function setup() {
  const seen: Seen[] = [];
  const training: string[] = [];
  const c = testContainer();
  registerPlugin(c, probe(seen, training) as never, 'test');
  registerPlugin(c, flaky as never, 'test');
  return { c, seen, training };
}

describe('evaluators in a pruning run', () => {
  it('evaluate the base model, every k-th winner and the final model against the base model, and watch the fine-tunes', async () => {
    const dir = await tinyDataset();
    const { c, seen, training } = setup();
    const events: PipelineEvent[] = [];
    const pipeline = validatePipeline(tinyPipeline(dir, { evaluate: [{ use: 'probe', every: 2 }] }), c);
    const report = await runPipeline(pipeline, { container: c, onEvent: (e) => events.push(e) });
    expect(report.iterations).toHaveLength(3);
    const baseParams = report.baselineEvaluations!.probe.metrics.params;
    expect(baseParams).toBe(report.baseline.params);
    expect(seen.map((s) => [s.phase, s.iteration, s.reference])).toEqual([
      ['baseline', 0, undefined],
      ['iteration', 2, baseParams],
      ['final', 3, baseParams],
    ]);
    expect(seen[0].pixelRange).toEqual([0, 1]);
    expect(report.iterations.map((it) => it.evaluations?.probe.metrics.params)).toEqual([undefined, report.iterations[1].stats.params, undefined]);
    expect(report.final!.evaluations!.probe.metrics.accuracy).toBeCloseTo(report.final!.stats.accuracy, 6);
    // one candidate fine-tune per candidate (2 per iteration) and one winner fine-tune per iteration, each start/end
    expect(training.filter((t) => t === 'candidate:start')).toHaveLength(6);
    expect(training.filter((t) => t === 'winner:end')).toHaveLength(3);
    expect(training.slice(0, 2)).toEqual(['candidate:start', 'candidate:end']);
    expect(events.filter((e) => e.type === 'evaluated').map((e) => (e as { phase: string }).phase)).toEqual(['baseline', 'iteration', 'final']);
    const saved = JSON.parse(await readFile(join(dir, 'run', 'report.json'), 'utf8'));
    expect(saved.final.evaluations.probe.summary).toMatch(/params$/);
    const html = await readFile(join(dir, 'run', 'report.html'), 'utf8');
    expect(html).toMatch(/<h2 id="evaluations">/);
    expect(html).toMatch(/<td>final \(3\)<\/td>/);
    expect(html).toMatch(/<ul id="final-evaluations"><li><b>probe<\/b>: \d+ params<\/li><\/ul>/);
  });

  it('refuses an evaluator listed twice and names an unknown one', async () => {
    const dir = await tinyDataset();
    const { c } = setup();
    const raw = tinyPipeline(dir, { stop: { maxIterations: 5 }, finetune: {} });
    expect(() => validatePipeline({ ...raw, evaluate: [{ use: 'probe' }, { use: 'probe' }] }, c)).toThrow(/evaluate\[1\]\.use: "probe" is listed twice/);
    expect(() => validatePipeline({ ...raw, evaluate: [{ use: 'robustness' }] }, c)).toThrow(/evaluate\[0\]\.use: unknown evaluator "robustness"/);
  });

  it('records an evaluator that throws as a failed result and finishes the run', async () => {
    const dir = await tinyDataset();
    const { c } = setup();
    const logs: string[] = [];
    const raw = tinyPipeline(dir, { evaluate: [{ use: 'flaky' }], stop: { maxIterations: 1 }, finetune: {} });
    const report = await runPipeline(validatePipeline(raw, c), { container: c, onEvent: (e) => e.type === 'log' && logs.push(e.message) });
    expect(report.baselineEvaluations!.flaky.metrics).toEqual({ ok: 1 });
    const error = '[evaluator:flaky] evaluate failed: onnxruntime went away'; // named by core's plugin error wrapper
    expect(report.iterations[0].evaluations!.flaky).toEqual({ metrics: {}, error, summary: `failed: ${error}` });
    expect(report.final!.evaluations!.flaky.error).toBe(error);
    expect(logs).toContain(`evaluator flaky failed on the iteration 1 winner: ${error}`);
    const html = await readFile(join(dir, 'run', 'report.html'), 'utf8');
    expect(html).toMatch(/<td class="failed" title="\[evaluator:flaky\] evaluate failed: onnxruntime went away">failed<\/td>/);
  });
});

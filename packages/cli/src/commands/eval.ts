import { defineCommand } from 'citty';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DATASET_NAMES, prepareData } from '@omniprune/core/data';
import { OmnipruneError, isOmnipruneError, readModel } from '@omniprune/core';
import { buildDependencyGraph, formatStages, stageSummary, type StageSummary } from '@omniprune/core/graph';
import { countCost } from '@omniprune/core/metrics';
import { builtinContainer } from '../shared/plugin-registry.js';
import { runEvaluatorsOnce } from '../shared/evaluate-once.js';
import { selectRunner } from '../shared/select-runner.js';
import { backendArg, parseNormalize, parsePositiveInt, startBackend } from '../shared/common-args.js';

/** The residual stages of the model (see `stageSummary`); none when the graph engine cannot read it (eval still evaluates). */
function architectureOf(model: tfl.LayersModel): StageSummary[] {
  try {
    return stageSummary(buildDependencyGraph(model));
  } catch (err) {
    if (isOmnipruneError(err)) return [];
    throw err;
  }
}

/** `omniprune eval`: accuracy, FLOPs and parameters of a saved model on a dataset's test split. */
export default defineCommand({
  meta: { name: 'eval', description: "Evaluate a saved model on a dataset's test split (normalised as the model was trained)" },
  args: {
    model: { type: 'positional', required: true, description: 'Model file: model.json (or its directory), Keras .h5/.keras, or ONNX .onnx' },
    normalize: {
      type: 'string',
      description: 'Input normalisation for models that do not record it, as PyTorch Normalize values MEAN/STD, e.g. 0.2860/0.3530 (default: none)',
    },
    data: { type: 'string', required: true, description: `Dataset: ${DATASET_NAMES.join(', ')}` },
    'data-path': { type: 'string', description: 'Folder or archive holding the dataset files' },
    'test-subset': { type: 'string', description: 'Evaluate on a stratified subset of N test images' },
    evaluate: {
      type: 'string',
      description:
        'Also run these evaluator plugins with their default options, comma list (e.g. adversarial,corruption,ood,energy,latency; see `omniprune plugins list`)',
    },
    reference: {
      type: 'string',
      description:
        'With --evaluate: a reference model (e.g. the unpruned one) the evaluators compare with (latency interleaved, relative corruption error, energy saving)',
    },
    seed: { type: 'string', description: 'With --evaluate: seed of the evaluators (subsets, noise, attacks); default 1' },
    json: { type: 'boolean', default: false, description: 'Print JSON' },
    runner: {
      type: 'string',
      default: 'auto',
      description: 'Inference runner: tfjs (the compute backend), onnxruntime (export to ONNX, run on onnxruntime-node) or auto (onnxruntime when it loads)',
    },
    ...backendArg,
  },
  async run({ args }) {
    if (!(DATASET_NAMES as readonly string[]).includes(args.data))
      throw new OmnipruneError('E_BAD_INPUT', `unknown dataset "${args.data}"`, { hint: `use one of: ${DATASET_NAMES.join(', ')}` });
    await startBackend(args.backend, args.json);
    const file = args.model;
    const { model, metadata: meta } = await readModel(file, builtinContainer());
    if (args.normalize !== undefined && meta.normalization) {
      throw new OmnipruneError('E_BAD_INPUT', `${file} records its normalisation already; --normalize would apply a second one`, { hint: 'drop --normalize' });
    }
    const stats = args.normalize !== undefined ? parseNormalize(args.normalize) : (meta.normalization ?? null);
    const testSubset = args['test-subset'] ? parsePositiveInt('test-subset', args['test-subset'], 0) : undefined;
    const dataset = { name: args.data, testSubset, trainSubset: 10, ...(args['data-path'] ? { path: args['data-path'] } : {}) };
    const data = await prepareData({ dataset: dataset as never, normalize: stats ?? false }, stats);
    const runner = await selectRunner(args.runner, args.json);
    const { accuracy, loss } = await runner.evaluate(model, data.test);
    const cost = countCost(model);
    const stages = architectureOf(model);
    const evaluations = args.evaluate
      ? await runEvaluatorsOnce(model, {
          names: args.evaluate,
          reference: args.reference,
          seed: args.seed === undefined ? 1 : parsePositiveInt('seed', args.seed, 0),
          setting: { test: data.test, normalization: data.normalization, pixelRange: [0, 1], runner },
          quiet: args.json,
        })
      : undefined;
    const result = {
      model: file,
      dataset: data.test.name,
      images: data.test.count,
      runner: runner.name,
      accuracy,
      loss,
      flops: cost.flops,
      params: cost.params,
      stages,
      ...(evaluations ? { evaluations } : {}),
    };
    if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      process.stdout.write(
        `${file}: accuracy ${(accuracy * 100).toFixed(2)} % on ${data.test.count} ${data.test.name} images, loss ${loss.toFixed(4)}, ${(cost.flops / 1e6).toFixed(2)} M FLOPs, ${(cost.params / 1e6).toFixed(3)} M params\n`,
      );
      for (const line of formatStages(stages)) process.stdout.write(`  ${line}\n`);
      for (const [name, r] of Object.entries(evaluations ?? {})) {
        process.stdout.write(`  ${name}: ${r.summary}${r.estimated ? ' [estimated]' : ''}\n`);
        for (const w of r.warnings ?? []) process.stdout.write(`  warning: ${name}: ${w}\n`);
      }
    }
    model.dispose();
    const failed = Object.entries(evaluations ?? {}).filter(([, r]) => r.error);
    if (failed.length) {
      throw new OmnipruneError(
        'E_PLUGIN_FAILED',
        `evaluator${failed.length === 1 ? '' : 's'} failed: ${failed.map(([n, r]) => `${n}: ${r.error}`).join('; ')}`,
        {
          hint: 'the other results are printed above; see `omniprune plugins list` for the evaluators and their options',
        },
      );
    }
  },
});

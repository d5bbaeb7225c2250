import { defineCommand } from 'citty';
import { join } from 'node:path';
import { interruptSignal } from '../shared/interrupt.js';
import { checkWritableDir, OmnipruneError, readModel, saveModel, writeFileAtomic } from '@omniprune/core';
import { DATASET_NAMES, prepareData, type AugmentStep } from '@omniprune/core/data';
import { ZOO_MODEL_NAMES, buildZooModel, freshWeights } from '@omniprune/core/zoo';
import {
  augmentFromSteps,
  createProgressRenderer,
  createSgdTrainer,
  readTrainCheckpoint,
  removeTrainCheckpoint,
  saveTrainCheckpoint,
  type LrSchedule,
} from '@omniprune/core/train';
import { countCost } from '@omniprune/core/metrics';
import { hashSettings } from '@omniprune/core/util';
import { rm } from 'node:fs/promises';
import { backendArg, parsePositiveInt, parsePositiveNumber, startBackend } from '../shared/common-args.js';
import { builtinContainer } from '../shared/plugin-registry.js';
import { distillArgs, distillFromFlags } from '../shared/distill-args.js';
import { imagesBudget } from '../shared/images-budget.js';

function parseAugment(value: string): AugmentStep[] {
  if (value === 'none' || value === '') return [];
  return value.split(',').map((step) => {
    if (step === 'flip') return { type: 'flip', p: 0.5 };
    const m = /^pad-crop(?::(\d+))?$/.exec(step);
    if (m) return { type: 'pad-crop', pad: m[1] ? Number(m[1]) : 4 };
    throw new OmnipruneError('E_BAD_INPUT', `unknown augmentation "${step}"`, { hint: 'use a comma list of pad-crop[:PAD] and flip, or none' });
  });
}

function parseSchedule(value: string, epochs: number): LrSchedule {
  if (value === 'cosine') return { type: 'cosine', minLr: 0 };
  if (value === 'constant') return { type: 'constant' };
  if (value === 'step') return { type: 'step', milestones: [Math.floor(epochs / 2), Math.floor((3 * epochs) / 4)], gamma: 0.1 };
  throw new OmnipruneError('E_BAD_INPUT', `unknown schedule "${value}"`, { hint: 'use cosine, step or constant' });
}

function parseZooOptions(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new OmnipruneError('E_BAD_INPUT', `--zoo-options is not JSON: ${(cause as Error).message}`, {
      hint: 'quote it for the shell: --zoo-options \'{"patchSize":7}\'',
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new OmnipruneError('E_BAD_INPUT', '--zoo-options must be a JSON object', { hint: 'e.g. {"depth":4,"numHeads":4}' });
  return value as Record<string, unknown>;
}

/** `omniprune train`: train a zoo model on a dataset and save it for `inspect`, `eval` and pipelines. */
export default defineCommand({
  meta: { name: 'train', description: 'Train a zoo model on a dataset and save model.json + weights (resumes an interrupted training in the same --out)' },
  args: {
    zoo: { type: 'string', description: `Architecture to train from scratch: ${ZOO_MODEL_NAMES.join(', ')}` },
    'zoo-options': { type: 'string', description: 'JSON options of the zoo architecture, e.g. \'{"patchSize":7,"numHeads":4}\' for vit' },
    from: { type: 'string', description: 'Continue training a model file (model.json or its directory, Keras .h5/.keras, ONNX .onnx) instead of --zoo' },
    data: { type: 'string', required: true, description: `Dataset: ${DATASET_NAMES.join(', ')}` },
    'data-path': { type: 'string', description: 'Folder or archive holding the dataset files (default: system folder / cache)' },
    out: { type: 'string', required: true, description: 'Output directory (model.json, weights.bin, train-report.json)' },
    epochs: { type: 'string', description: 'Epochs (default: 10)' },
    'batch-size': { type: 'string', description: 'Batch size (default: 128)' },
    lr: { type: 'string', description: 'Initial learning rate (default: 0.1)' },
    schedule: { type: 'string', description: 'cosine | step | constant (default: cosine)', default: 'cosine' },
    'weight-decay': { type: 'string', description: 'Extra L2 on kernels added to gradients (default: 0; zoo ResNets carry L2 1e-4 already)' },
    'label-smoothing': { type: 'string', description: 'Label smoothing in [0,1) (default: 0)' },
    augment: { type: 'string', description: 'Comma list: pad-crop[:PAD], flip, or none (default: pad-crop:2,flip)', default: 'pad-crop:2,flip' },
    'train-subset': { type: 'string', description: 'Use a stratified subset of N training images' },
    holdout: {
      type: 'string',
      description:
        'Hold N training images out as a validation split (stratified, seed 0; pipelines with data.dataset.validation: { count: N } hold out the same ones)',
    },
    'test-subset': { type: 'string', description: 'Use a stratified subset of N test images' },
    seed: { type: 'string', description: 'Seed for weights, shuffling and augmentation (default: 1)' },
    ...distillArgs,
    'images-of': {
      type: 'string',
      description:
        'Train for as many images as this pruning run (folder with report.json) cost, fine-tunes and recovery: epochs = that / training images (instead of --epochs)',
    },
    reinit: {
      type: 'boolean',
      default: false,
      description: 'With --from: train the same architecture from fresh weights (seeded by --seed), the from-scratch baseline of a pruned model',
    },
    restart: { type: 'boolean', default: false, description: 'Discard a checkpoint of an interrupted training in --out instead of resuming it' },
    ...backendArg,
  },
  async run({ args }) {
    if (args['images-of'] && args.epochs) throw new OmnipruneError('E_BAD_INPUT', 'give --epochs or --images-of, not both', { hint: 'drop --epochs' });
    const seed = parsePositiveInt('seed', args.seed, 1);
    const augment = parseAugment(args.augment);
    await checkWritableDir(args.out, '--out');
    const backend = await startBackend(args.backend);
    if (!(DATASET_NAMES as readonly string[]).includes(args.data)) {
      throw new OmnipruneError('E_BAD_INPUT', `unknown dataset "${args.data}"`, { hint: `use one of: ${DATASET_NAMES.join(', ')}` });
    }
    const trainSubset = args['train-subset'] ? parsePositiveInt('train-subset', args['train-subset'], 0) : undefined;
    const testSubset = args['test-subset'] ? parsePositiveInt('test-subset', args['test-subset'], 0) : undefined;
    const holdout = args.holdout ? parsePositiveInt('holdout', args.holdout, 0) : undefined;
    const dataset = {
      name: args.data,
      seed,
      trainSubset,
      testSubset,
      ...(holdout ? { validation: { count: holdout } } : {}),
      ...(args['data-path'] ? { path: args['data-path'] } : {}),
    };
    if (!args.zoo === !args.from) throw new OmnipruneError('E_BAD_INPUT', 'give exactly one of --zoo NAME and --from MODEL', { hint: 'e.g. --zoo resnet20' });
    if (args.reinit && !args.from) throw new OmnipruneError('E_BAD_INPUT', '--reinit needs --from MODEL', { hint: 'e.g. --from runs/x/final --reinit' });
    const { backend: _b, restart: _r, ...shaping } = args;
    const settingsHash = hashSettings({ ...shaping, _: undefined });
    if (args.restart) await rm(join(args.out, 'checkpoint'), { recursive: true, force: true });
    const checkpoint = await readTrainCheckpoint(args.out, settingsHash);
    const loaded = args.from ? await readModel(args.from, builtinContainer()) : undefined;
    const data = await prepareData({ dataset: dataset as never }, loaded?.metadata.normalization ?? undefined);
    const budget = args['images-of'] ? await imagesBudget(args['images-of'], data.train.count) : undefined;
    const epochs = budget?.epochs ?? parsePositiveInt('epochs', args.epochs, 10);
    if (budget) process.stderr.write(`${budget.images} training images as ${args['images-of']}: ${epochs} epochs of ${data.train.count}\n`);
    const distill = await distillFromFlags(args, loaded?.metadata.normalization ?? data.normalization, builtinContainer());
    const built = checkpoint
      ? undefined
      : loaded
        ? args.reinit
          ? await freshWeights(loaded.model, seed)
          : loaded.model
        : buildZooModel(args.zoo!, {
            ...parseZooOptions(args['zoo-options']),
            inputShape: [...data.train.shape] as [number, number, number],
            classes: data.train.numClasses,
            seed,
          });
    if (loaded && (checkpoint || args.reinit)) loaded.model.dispose();
    const model = checkpoint?.model ?? built!;
    if (checkpoint) process.stderr.write(`resuming the training in ${args.out} after epoch ${checkpoint.state.epochsDone}/${epochs}\n`);
    const name = args.zoo ?? model.name;
    const cost = countCost(model);
    process.stderr.write(
      `${name}: ${(cost.flops / 1e6).toFixed(2)} M MACs, ${(cost.params / 1e6).toFixed(3)} M params; ` +
        `${data.train.name} ${data.train.count} train${data.validation ? ` (${data.validation.count} held out)` : ''} / ${data.test.count} test images\n`,
    );
    const trainer = createSgdTrainer({
      epochs,
      batchSize: parsePositiveInt('batch-size', args['batch-size'], 128),
      lr: parsePositiveNumber('lr', args.lr, 0.1),
      schedule: parseSchedule(args.schedule, epochs),
      weightDecay: args['weight-decay'] ? Number(args['weight-decay']) : 0,
      labelSmoothing: args['label-smoothing'] ? Number(args['label-smoothing']) : 0,
      seed,
      augment: augmentFromSteps(augment),
      distill: distill?.options,
    });
    const started = Date.now();
    const metadata = { omniprune: { dataset: args.data, inputShape: data.train.shape, classes: data.train.numClasses, normalization: data.normalization } };
    const result = await trainer.fit(model, data.train, {
      validation: data.test,
      onEvent: createProgressRenderer(process.stderr),
      resume: checkpoint?.state,
      teacher: distill?.teacher.model,
      backend,
      signal: interruptSignal(),
      onEpochEnd: (state) => saveTrainCheckpoint(args.out, model, state, settingsHash, metadata),
    });
    const evaluation = await trainer.evaluate(model, data.test);
    const seconds = (Date.now() - started) / 1000;
    const report = {
      model: name,
      from: args.from,
      dataset: data.train.name,
      backend: backend.name,
      epochs: result.epochsRun,
      seconds,
      resumedAfterEpoch: checkpoint?.state.epochsDone,
      seed,
      ...(distill
        ? {
            distill: {
              teacher: args.distill,
              alpha: distill.options.alpha,
              temperature: distill.options.temperature,
              teacherInput: distill.options.teacherInput,
            },
          }
        : {}),
      ...(args.reinit ? { reinit: true } : {}),
      ...(budget ? { imagesOf: { run: args['images-of'], images: budget.images } } : {}),
      command: ['omniprune', 'train', ...process.argv.slice(3)].join(' '),
      testAccuracy: evaluation.accuracy,
      testLoss: evaluation.loss,
      flops: cost.flops,
      params: cost.params,
      normalization: data.normalization,
      history: result.history,
    };
    await saveModel(model, args.out, { omniprune: { ...metadata.omniprune, testAccuracy: evaluation.accuracy } });
    await writeFileAtomic(join(args.out, 'train-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    await removeTrainCheckpoint(args.out);
    process.stderr.write(
      `test accuracy ${(evaluation.accuracy * 100).toFixed(2)} % after ${result.epochsRun} epochs in ${seconds.toFixed(0)} s; saved to ${args.out}\n`,
    );
    model.dispose();
    distill?.teacher.model.dispose();
  },
});

import { defineCommand } from 'citty';
import { rm } from 'node:fs/promises';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  OmnipruneError,
  loadPipeline,
  relativePipelinePaths,
  restrictPruners,
  runDirOf,
  runPipeline,
  checkWritableDir,
  writeFileAtomic,
  type Pipeline,
} from '@omniprune/core';
import { queueUrl, redact, studyPrefix } from '@omniprune/queue';
import { queueCandidateExecutor, type QueueCandidateExecutor } from '../queue/queue-candidates.js';
import { exportOnnx } from '@omniprune/onnx';
import { startBackend } from '../shared/common-args.js';
import { builtinContainer } from '../shared/plugin-registry.js';
import { createEventRenderer } from '../shared/render-events.js';
import { selectRunner } from '../shared/select-runner.js';
import { interruptSignal } from '../shared/interrupt.js';

/**
 * The candidate executor of `run --queue`: the pipeline as written (restricted by `--only` as the run is), its paths
 * relative to the working directory, as workers resolve them in their project folder.
 */
function candidatesOnQueue(pipeline: Pipeline, flag: string, prefixFlag: string | undefined): Promise<QueueCandidateExecutor> {
  const url = queueUrl(flag);
  if (!url) throw new OmnipruneError('E_BAD_INPUT', '--queue needs a URL (or REDIS_URL set)', { hint: 'e.g. --queue redis://localhost:6379' });
  const prefix = studyPrefix(prefixFlag ?? 'omniprune');
  process.stderr.write(`candidates: on the queue ${redact(url)} (prefix ${prefix}); start workers with omniprune worker --queue URL --prefix ${prefix}\n`);
  return queueCandidateExecutor({ url, prefix, pipeline: relativePipelinePaths(pipeline.source, process.cwd()) });
}

/** The final model as deployed: batch norms folded into their convs, as `omniprune export` writes it. */
const onnxExporter = async (model: LayersModel, file: string) => writeFileAtomic(file, exportOnnx(model, { foldBatchNorm: true }).bytes);

/** `omniprune run`: run a pruning pipeline, resuming an interrupted run in the same output directory. */
export default defineCommand({
  meta: { name: 'run', description: 'Run a pruning pipeline (resumes an interrupted run in the same output directory)' },
  args: {
    pipeline: { type: 'positional', required: true, description: 'Pipeline YAML file' },
    out: { type: 'string', description: "Output directory (default: the pipeline's output, relative to the pipeline file)" },
    backend: { type: 'string', description: "Compute backend; overrides the pipeline's backend" },
    runner: {
      type: 'string',
      description: "Forward-only work (similarity features, importance scoring, evaluation): tfjs | onnxruntime | auto; overrides the pipeline's runner",
    },
    only: { type: 'string', description: 'Baseline: run only these pruners (comma list, e.g. layer); output defaults to <output>-only-<names>' },
    restart: { type: 'boolean', default: false, description: 'Discard an earlier run in the output directory instead of resuming it' },
    queue: {
      type: 'string',
      description:
        "Fine-tune and score each iteration's candidates on `omniprune worker` processes through this job queue: redis://[user[:password]@]host[:port][/db] or rediss://; default $REDIS_URL when given empty",
    },
    prefix: { type: 'string', default: 'omniprune', description: 'Queue key prefix of the study (with --queue)' },
  },
  async run({ args }) {
    const container = builtinContainer();
    const loaded = await loadPipeline(args.pipeline, container);
    const pipeline =
      args.only !== undefined
        ? restrictPruners(
            loaded,
            args.only
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          )
        : loaded;
    const backend = await startBackend(args.backend ?? pipeline.backend);
    const outDir = runDirOf(pipeline, args.out);
    await checkWritableDir(outDir, 'output folder');
    if (args.restart) await rm(outDir, { recursive: true, force: true });
    const runner = await selectRunner(args.runner ?? pipeline.runner);
    const candidates = args.queue === undefined ? undefined : await candidatesOnQueue(pipeline, args.queue, args.prefix);
    const report = await runPipeline(pipeline, {
      container,
      outDir,
      backend,
      runner,
      candidates,
      exporters: { onnx: onnxExporter },
      signal: interruptSignal(),
      onEvent: createEventRenderer(process.stderr),
    }).finally(() => candidates?.close());
    const f = report.final!;
    const files = f.files ?? ['final/model.json'];
    process.stdout.write(
      `final (iteration ${f.iteration}): accuracy ${(f.stats.accuracy * 100).toFixed(2)} % (${(f.accuracyChange * 100).toFixed(2)} points), ` +
        `FLOPs -${(f.flopsReduction * 100).toFixed(2)} %, params -${(f.paramsReduction * 100).toFixed(2)} %\n` +
        (report.recovery
          ? `after the final recovery: accuracy ${(report.recovery.after.accuracy * 100).toFixed(2)} % (${(report.recovery.accuracyChange * 100).toFixed(2)} points)\n`
          : '') +
        `wrote ${outDir}/report.json, report.html, ${files.join(', ')}\n`,
    );
  },
});

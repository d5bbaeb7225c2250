import { defineCommand } from 'citty';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OmnipruneError, loadModel, loadPipeline, parsePipelineYaml, restrictPruners, runPipeline, checkWritableDir, writeFileAtomic } from '@omniprune/core';
import { queueUrl, redact, studyPrefix } from '@omniprune/queue';
import { absolutePaths, relativePaths, restrictArm } from '../bench/cells.js';
import { queueCandidateExecutor, type QueueCandidateExecutor } from '../queue/queue-candidates.js';
import { exportOnnx } from '@omniprune/onnx';
import { startBackend } from '../shared/common-args.js';
import { builtinContainer } from '../shared/plugin-registry.js';
import { createEventRenderer } from '../shared/render-events.js';
import { selectRunner } from '../shared/select-runner.js';
import { interruptSignal } from '../shared/interrupt.js';

/**
 * The candidate executor of `run --queue`: the pipeline file as parsed YAML (restricted by `--only` as the run is),
 * its paths relative to the working directory, as workers resolve them in their project folder.
 */
async function candidatesOnQueue(file: string, flag: string, prefixFlag: string | undefined, only: string | undefined): Promise<QueueCandidateExecutor> {
  const url = queueUrl(flag);
  if (!url) throw new OmnipruneError('E_BAD_INPUT', '--queue needs a URL (or REDIS_URL set)', { hint: 'e.g. --queue redis://localhost:6379' });
  const path = resolve(file);
  let raw = absolutePaths(parsePipelineYaml(await readFile(path, 'utf8'), file) as Record<string, unknown>, path);
  if (only !== undefined) raw = { ...raw, pruners: restrictArm(raw.pruners, only) };
  const prefix = studyPrefix(prefixFlag ?? 'omniprune');
  process.stderr.write(`candidates: on the queue ${redact(url)} (prefix ${prefix}); start workers with omniprune worker --queue URL --prefix ${prefix}\n`);
  return queueCandidateExecutor({ url, prefix, pipeline: relativePaths(raw, process.cwd()) });
}

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
    const outDir = args.out ? resolve(args.out) : resolve(pipeline.baseDir, pipeline.output);
    await checkWritableDir(outDir, 'output folder');
    if (args.restart) await rm(outDir, { recursive: true, force: true });
    const runner = await selectRunner(args.runner ?? pipeline.runner);
    const candidates = args.queue === undefined ? undefined : await candidatesOnQueue(args.pipeline, args.queue, args.prefix, args.only);
    const report = await runPipeline(pipeline, {
      container,
      outDir,
      backend,
      runner,
      candidates,
      signal: interruptSignal(),
      onEvent: createEventRenderer(process.stderr),
    }).finally(() => candidates?.close());
    const f = report.final!;
    const files = [...(f.files ?? ['final/model.json'])];
    if (pipeline.export.onnx && !files.includes('final/model.onnx')) {
      const final = await loadModel(join(outDir, 'final', 'model.json'));
      // the deployment form, as `omniprune export` writes it: batch norms folded into their convs
      await writeFileAtomic(join(outDir, 'final', 'model.onnx'), exportOnnx(final, { foldBatchNorm: true }).bytes);
      final.dispose();
      files.push('final/model.onnx');
    }
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

import { OmnipruneError } from '@omniprune/core';
import { tfjsInferenceRunner, type InferenceRunner } from '@omniprune/core/prune';
import { wasmThreadsWanted } from '@omniprune/core/backend';
import { loadOnnxRuntime, onnxInferenceRunner } from '@omniprune/onnx';

/** Names `--runner` and a pipeline's `runner:` accept. */
export const RUNNER_NAMES = ['tfjs', 'onnxruntime', 'auto'] as const;

/**
 * The inference runner named by `--runner` or the pipeline, saying which one is in use. onnxruntime gets the compute
 * backend's thread budget (`OMNIPRUNE_WASM_THREADS`, else all cores), so bench workers do not oversubscribe.
 * @example
 * const runner = await selectRunner('auto'); // onnxruntime when it loads, else tfjs
 */
export async function selectRunner(name: string, quiet = false): Promise<InferenceRunner> {
  if (!(RUNNER_NAMES as readonly string[]).includes(name))
    throw new OmnipruneError('E_BAD_INPUT', `unknown runner "${name}"`, { hint: `use ${RUNNER_NAMES.join(', ')}` });
  if (name === 'tfjs') return tfjsInferenceRunner;
  const ort = await loadOnnxRuntime();
  if (ort instanceof Error) {
    if (name === 'onnxruntime') throw new OmnipruneError('E_BACKEND', ort.message, { hint: 'install onnxruntime-node, or use --runner tfjs' });
    if (!quiet) process.stderr.write(`runner: tfjs (${ort.message})\n`);
    return tfjsInferenceRunner;
  }
  const threads = wasmThreadsWanted(undefined);
  if (!quiet)
    process.stderr.write(
      `runner: onnxruntime, ${threads} thread${threads === 1 ? '' : 's'} (similarity features, importance scoring, evaluation; training stays on the compute backend)\n`,
    );
  return onnxInferenceRunner(threads);
}

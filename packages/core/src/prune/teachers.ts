import type * as tfl from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import { loadModel } from '../io/model-io.js';
import type { Pipeline } from './load-pipeline.js';

/** Folder of the base model in a run (iteration 0). */
export const BASELINE_DIR = 'iterations/000';

/** True when a fine-tune's settings ask for distillation (a `distill` block; the trainer plugin reads its details). */
export function usesDistillation(settings: Record<string, unknown> | undefined): boolean {
  return settings !== undefined && settings.distill !== undefined;
}

/**
 * The base model as a teacher for the iterations' fine-tunes, loaded from the run folder when a candidate or winner
 * fine-tune distils (else undefined: nothing is loaded). The caller disposes it.
 * @example
 * const base = await iterationTeacher(pipeline, outDir); try { ... } finally { base?.dispose(); }
 */
export async function iterationTeacher(pipeline: Pipeline, outDir: string): Promise<tfl.LayersModel | undefined> {
  const { candidate, winner } = pipeline.finetune;
  return usesDistillation(candidate) || usesDistillation(winner) ? loadModel(join(outDir, BASELINE_DIR)) : undefined;
}

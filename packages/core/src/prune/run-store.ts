import type * as tfl from '@tensorflow/tfjs-layers';
import { join, relative } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import type { ChannelStats } from '../data/normalize.js';
import { annotationsOf } from '../io/model-annotations.js';
import { loadModel, saveModel } from '../io/model-io.js';
import { writeInOriginFormat } from '../io/read-model.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { renderReportHtml } from './report-html.js';
import type { RunReport } from './run-report.js';
import { readRunState, writeRunState, type RunState } from './run-state.js';
import { BASELINE_DIR } from './teachers.js';

/** Writes the final model in one more format, e.g. `onnx` -> `final/model.onnx` (the CLI's ONNX exporter). */
export type ModelExporter = (model: tfl.LayersModel, file: string) => Promise<void>;

/** Folder of the final model in a run. */
export const FINAL_DIR = 'final';

/**
 * A run folder: `state.json` (what a resume needs), `report.json` + `report.html`, `iterations/NNN/` (the base model
 * and every iteration's winner), `recovery/` (the recovered final model and its checkpoint) and `final/` (the final
 * model in every requested format, listed in the report). The one place that reads and writes them.
 */
export interface RunStore {
  readonly dir: string;
  /** The state of an earlier run of the same pipeline found in `dir`, or null for a fresh run. */
  readonly resumed: RunState | null;
  /** Write the report (json, html) and then the state: the last step of every iteration, so a kill never half-records one. */
  record(report: RunReport): Promise<void>;
  /** Save iteration `iteration`'s model (0: the base model) and return its folder, relative to the run. */
  saveIteration(model: tfl.LayersModel, iteration: number, normalization: ChannelStats | null): Promise<string>;
  /** Load a model saved in the run (`modelDir` relative to it). */
  load(modelDir: string): Promise<tfl.LayersModel>;
  /** Save the final model in `final/`: TF.js, its original format (Keras, ONNX) and every exporter's; the files written. */
  saveFinal(
    model: tfl.LayersModel,
    iteration: number,
    normalization: ChannelStats | null,
    exporters: Readonly<Record<string, ModelExporter>>,
  ): Promise<string[]>;
}

/** Folder of iteration `iteration`'s model, relative to the run (`iterations/007`; 0 is the base model). */
export function iterationDir(iteration: number): string {
  return iteration === 0 ? BASELINE_DIR : `iterations/${String(iteration).padStart(3, '0')}`;
}

/**
 * Open the run folder `dir` of a pipeline whose result-shaping settings hash to `pipelineHash`: a state found there
 * must be of the same pipeline (E_BAD_INPUT otherwise). Models are saved with the input normalisation they take.
 * @example
 * const store = await openRunStore('runs/quickstart', hash, { container, log });
 */
export async function openRunStore(
  dir: string,
  pipelineHash: string,
  host: { container: DependencyContainer; log: (message: string) => void },
): Promise<RunStore> {
  const resumed = await readRunState(dir, pipelineHash);
  const metadata = (iteration: number, normalization: ChannelStats | null) => ({ omniprune: { normalization, iteration } });
  return {
    dir,
    resumed,
    async record(report) {
      await writeFileAtomic(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
      await writeFileAtomic(join(dir, 'report.html'), renderReportHtml(report));
      await writeRunState(dir, { version: 1, pipelineHash, completed: report.iterations.length, report });
    },
    async saveIteration(model, iteration, normalization) {
      const modelDir = iterationDir(iteration);
      await saveModel(model, join(dir, modelDir), metadata(iteration, normalization));
      return modelDir;
    },
    load: (modelDir) => loadModel(join(dir, modelDir)),
    async saveFinal(model, iteration, normalization, exporters) {
      const finalDir = join(dir, FINAL_DIR);
      await saveModel(model, finalDir, metadata(iteration, normalization));
      const files = [`${FINAL_DIR}/model.json`];
      const origin = annotationsOf(model).origin;
      const native = origin ? await writeInOriginFormat(model, origin, finalDir, host.container) : null;
      if (native) {
        files.push(relative(dir, native));
        host.log(`wrote the final model as ${origin!.format} too (${relative(dir, native)}), with the original's interface`);
      }
      for (const [format, write] of Object.entries(exporters)) {
        const file = `${FINAL_DIR}/model.${format}`;
        if (files.includes(file)) continue;
        await write(model, join(dir, file));
        files.push(file);
      }
      return files;
    },
  };
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { RunReport } from './run-report.js';

/** What a run directory records to resume: the pipeline it belongs to and the report so far. */
export interface RunState {
  readonly version: 1;
  /** Hash of the pipeline settings that shape results (not the output dir or stopping targets). */
  readonly pipelineHash: string;
  /** Iterations fully finished (model, report and state written). */
  readonly completed: number;
  readonly report: RunReport;
}

const STATE_FILE = 'state.json';

/** Read a run directory's state, or null when it holds none. A state for another pipeline is an error. */
export async function readRunState(dir: string, pipelineHash: string): Promise<RunState | null> {
  const text = await readFile(join(dir, STATE_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  let state: RunState;
  try {
    state = JSON.parse(text) as RunState;
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${join(dir, STATE_FILE)} is not valid JSON`, { cause, hint: 'delete the run directory or pass --restart' });
  }
  if (state.pipelineHash !== pipelineHash) {
    throw new OmnipruneError('E_BAD_INPUT', `${dir} holds a run of a different pipeline (settings changed since it started)`, {
      hint: 'use another --out directory, or pass --restart to discard the old run',
    });
  }
  return state;
}

/** Write the state atomically: the last step of every iteration, so a kill never leaves a half-recorded one. */
export async function writeRunState(dir: string, state: RunState): Promise<void> {
  await writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(state, null, 2));
}

import { OmnipruneError } from '@omniprune/core';
import type { Versions } from './versions.js';

/** Name of the queue bench cells go to (inside the study's prefix). */
export const CELL_QUEUE = 'cells';

/** A bench cell as a job: data only (no code): plugins are resolved by package name where it runs. */
export interface CellJobData {
  readonly bench: string;
  readonly cellId: string;
  /** The cell's pipeline; relative paths are resolved against the worker's project folder. */
  readonly pipeline: Record<string, unknown>;
  /** The coordinator's omniprune package versions; a worker with others refuses the job. */
  readonly versions: Versions;
}

/** What a worker sends back for a finished cell. */
export interface CellJobResult {
  /** The run's `report.json`, parsed. */
  readonly report: unknown;
  /** The run's stderr (progress and log lines), its last 20 kB. */
  readonly log: string;
  readonly seconds: number;
  /** `host:pid` of the worker. */
  readonly worker: string;
}

/**
 * Check a study prefix: letters, digits, `_`, `-` and `.`, as Redis key segments stay readable and cannot collide.
 * @throws OmnipruneError `E_BAD_INPUT`
 * @example
 * studyPrefix('omniprune-resnet56') // 'omniprune-resnet56'
 */
export function studyPrefix(text: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(text)) {
    throw new OmnipruneError('E_BAD_INPUT', `bad queue prefix "${text}"`, { hint: 'use 1-64 letters, digits, "_", "-" or "."' });
  }
  return text;
}

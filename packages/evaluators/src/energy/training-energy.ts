import type { TrainingPhase } from '@omniprune/plugin-api';
import type { EnergyMeter } from './energy-meter.js';

/** Energy of the fine-tunes seen so far. */
export interface TrainingEnergy {
  /** Joules of fine-tunes finished since the last {@link TrainingEnergyTracker.take}. */
  readonly sinceLast: number;
  /** Joules of every fine-tune finished so far. */
  readonly total: number;
  /** Fine-tune intervals finished so far (overlapping fine-tunes make one interval). */
  readonly runs: number;
  /** Problems met while metering (reported by the next evaluation). */
  readonly problems: readonly string[];
}

/** Accumulates the energy of fine-tunes from `observeTraining` events. */
export interface TrainingEnergyTracker {
  /** Record a fine-tune's start or end (reads the meter at once; never throws). */
  observe(phase: TrainingPhase, event: 'start' | 'end'): void;
  /** The totals; starts a new "since last" period. */
  take(): TrainingEnergy;
  /** Stop the polling timer. */
  dispose(): void;
}

/**
 * A tracker metering the time between the first `start` and the matching last `end` (nested or overlapping fine-tunes
 * are counted once). While a fine-tune runs, the meter is read every `pollSeconds` (default 60; 0 = never) so RAPL
 * counter wrap-arounds (every few minutes at full load) are not missed; the timer does not keep the process alive.
 * @example
 * const tracker = createTrainingEnergyTracker(() => meter); tracker.observe('winner', 'start'); ...; tracker.take().sinceLast
 */
export function createTrainingEnergyTracker(meter: () => EnergyMeter, pollSeconds = 60): TrainingEnergyTracker {
  let active = 0;
  let startJoules = 0;
  let sinceLast = 0;
  let total = 0;
  let runs = 0;
  let problems: string[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  const stopPolling = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  let unmetered = false;
  const fail = (phase: TrainingPhase, err: unknown): void => {
    unmetered = true;
    stopPolling();
    problems.push(`training energy of a ${phase} fine-tune not metered: ${(err as Error).message}`);
  };
  const start = (phase: TrainingPhase): void => {
    if (active++ > 0) return;
    unmetered = false;
    try {
      const m = meter();
      startJoules = m.read();
      if (pollSeconds > 0) {
        timer = setInterval(() => {
          try {
            m.read();
          } catch {
            // the end-of-fine-tune read reports the problem
          }
        }, pollSeconds * 1000);
        timer.unref?.();
      }
    } catch (err) {
      fail(phase, err);
    }
  };
  const end = (phase: TrainingPhase): void => {
    if (active === 0) {
      problems.push('a fine-tune ended that was not seen starting: its energy is not counted');
      return;
    }
    if (--active > 0 || unmetered) return;
    stopPolling();
    try {
      const joules = meter().read() - startJoules;
      sinceLast += joules;
      total += joules;
      runs++;
    } catch (err) {
      fail(phase, err);
    }
  };
  return {
    observe: (phase, event) => (event === 'start' ? start(phase) : end(phase)),
    take() {
      const result: TrainingEnergy = { sinceLast, total, runs, problems };
      sinceLast = 0;
      problems = [];
      return result;
    },
    dispose: stopPolling,
  };
}

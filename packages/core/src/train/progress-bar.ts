import type { TrainEvent } from './types.js';

/** Where progress is written: `process.stderr` or any writable with optional TTY hints. */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Options of {@link createProgressRenderer}. */
export interface ProgressRendererOptions {
  /** Not a TTY: print a plain line each time an epoch passes another multiple of this percentage. Default 25. */
  everyPercent?: number;
  /** TTY: redraw at most this often (ms); epoch ends always draw. Default 100. */
  minIntervalMs?: number;
  /** Width of the bar in characters. Default 20. */
  barWidth?: number;
  /** Override TTY detection (default `stream.isTTY`). */
  tty?: boolean;
}

/** `83` -> `1m23s`, `4000` -> `1h06m40s`, NaN -> `?`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(rest).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');
const num = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : String(v));

function stats(e: TrainEvent): string {
  return `loss ${num(e.loss)} acc ${pct(e.accuracy)} lr ${e.lr.toPrecision(3)} ${Math.round(e.imagesPerSecond)} img/s`;
}

function batchLine(e: TrainEvent, barWidth: number): string {
  const prefix = `epoch ${e.epoch + 1}/${e.epochs}`;
  if (e.stepsPerEpoch === undefined) return `${prefix} step ${e.step} ${stats(e)}`;
  const fraction = Math.min(1, e.step / e.stepsPerEpoch);
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'='.repeat(filled)}${' '.repeat(barWidth - filled)}]`;
  return (
    `${prefix} ${bar} ${String(Math.floor(fraction * 100)).padStart(3)}% ${e.step}/${e.stepsPerEpoch} ` + `${stats(e)} eta ${formatDuration(e.etaSeconds)}`
  );
}

function epochLine(e: TrainEvent): string {
  const val = e.val ? ` val_loss ${num(e.val.loss)} val_acc ${pct(e.val.accuracy)}` : '';
  return `epoch ${e.epoch + 1}/${e.epochs} ${stats(e)}${val} eta ${formatDuration(e.etaSeconds)}`;
}

/**
 * Render {@link TrainEvent}s as a progress line with throughput and ETA: redrawn in place on a TTY, plain
 * lines every `everyPercent` of an epoch otherwise; each epoch ends with a summary line.
 * @example
 * await trainer.fit(model, train, { onEvent: createProgressRenderer() });
 */
export function createProgressRenderer(stream: ProgressStream = process.stderr, options: ProgressRendererOptions = {}): (event: TrainEvent) => void {
  const { everyPercent = 25, minIntervalMs = 100, barWidth = 20 } = options;
  const tty = options.tty ?? stream.isTTY === true;
  let lastDraw = -Infinity;
  let nextPercent = everyPercent;
  const fit = (line: string): string => {
    const columns = stream.columns ?? 0;
    return columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
  };
  return (event) => {
    switch (event.type) {
      case 'epoch-start':
        nextPercent = everyPercent;
        lastDraw = -Infinity;
        return;
      case 'batch-end': {
        if (tty) {
          const now = Date.now();
          if (now - lastDraw < minIntervalMs) return;
          lastDraw = now;
          stream.write(`\r\x1b[2K${fit(batchLine(event, barWidth))}`);
          return;
        }
        if (event.stepsPerEpoch === undefined || event.step >= event.stepsPerEpoch) return;
        const percent = (100 * event.step) / event.stepsPerEpoch;
        if (percent < nextPercent) return;
        while (nextPercent <= percent) nextPercent += everyPercent;
        stream.write(`${batchLine(event, barWidth)}\n`);
        return;
      }
      case 'epoch-end':
        stream.write(tty ? `\r\x1b[2K${fit(epochLine(event))}\n` : `${epochLine(event)}\n`);
        return;
    }
  };
}

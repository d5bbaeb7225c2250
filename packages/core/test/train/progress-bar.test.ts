import { describe, expect, it } from 'vitest';
import { createProgressRenderer, formatDuration, type ProgressStream } from '../../src/train/progress-bar.js';
import type { TrainEvent } from '../../src/train/types.js';

function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { text: string } {
  const stream = {
    text: '',
    isTTY,
    columns,
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

const base: TrainEvent = {
  type: 'batch-end',
  epoch: 0,
  epochs: 3,
  step: 0,
  stepsPerEpoch: 10,
  loss: Math.LN2,
  accuracy: 0.5,
  lr: 0.01,
  imagesPerSecond: 1234.4,
  etaSeconds: 83,
};

function epoch(render: (e: TrainEvent) => void, val = true): void {
  render({ ...base, type: 'epoch-start' });
  for (let step = 1; step <= 10; step++) render({ ...base, step });
  render({ ...base, type: 'epoch-end', step: 10, val: val ? { loss: 0.5, accuracy: 0.875 } : undefined });
}

describe('progress renderer', () => {
  it('prints plain lines every N% and an epoch summary when not a TTY', () => {
    const stream = fakeStream(false);
    epoch(createProgressRenderer(stream, { everyPercent: 25 }));
    const lines = stream.text.trimEnd().split('\n');
    expect(lines).toHaveLength(4); // 30%, 50%, 80%, summary
    expect(lines[0]).toMatch(/^epoch 1\/3 \[=+ +\] {2}30% 3\/10 loss 0\.6931 acc 50\.0% lr 0\.0100 1234 img\/s eta 1m23s$/);
    expect(lines[3]).toBe('epoch 1/3 loss 0.6931 acc 50.0% lr 0.0100 1234 img/s val_loss 0.5000 val_acc 87.5% eta 1m23s');
    expect(stream.text).not.toContain('\r');
  });

  it('redraws one line in place on a TTY, truncated to the terminal width', () => {
    const stream = fakeStream(true, 40);
    epoch(createProgressRenderer(stream, { minIntervalMs: 0 }), false);
    const draws = stream.text.split('\r\x1b[2K').filter(Boolean);
    expect(draws).toHaveLength(11);
    expect(draws.slice(0, 10).every((d) => !d.includes('\n') && d.length <= 39)).toBe(true);
    expect(draws[10].endsWith('\n')).toBe(true);
  });

  it('throttles TTY redraws', () => {
    const stream = fakeStream(true);
    epoch(createProgressRenderer(stream, { minIntervalMs: 60_000 }));
    expect(stream.text.split('\r\x1b[2K').filter(Boolean)).toHaveLength(2); // first batch + epoch end
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(83)).toBe('1m23s');
    expect(formatDuration(4000)).toBe('1h06m40s');
    expect(formatDuration(NaN)).toBe('?');
  });
});

/**
 * Peak resident set size of this process while something runs, for the `pnpm bench` memory columns. A worker thread
 * samples `process.memoryUsage.rss()` (the whole process's RSS) every `intervalMs`, so samples keep coming while the
 * main thread is busy in a synchronous kernel; the main thread also samples at `reset` and `read`.
 */
import { Worker } from 'node:worker_threads';

const SAMPLER = `
const { workerData } = require('node:worker_threads');
const peak = new Float64Array(workerData.buffer);
setInterval(() => { const rss = process.memoryUsage.rss(); if (rss > peak[0]) peak[0] = rss; }, workerData.intervalMs);
`;

/** A running RSS sampler; see {@link startRssSampler}. */
export interface RssSampler {
  /** Start a new window; returns the RSS now, in MB (the "before" of the window). */
  reset(): number;
  /** Highest RSS seen since the last `reset`, in MB. */
  peak(): number;
  /** Stop the worker. */
  stop(): Promise<void>;
}

/**
 * Start sampling. The worker itself adds a few MB of RSS from the start, before any window, so it shifts peaks but
 * not increases. Races between the worker's read-compare-write and `reset` can at worst lose one sample.
 * @example
 * const rss = await startRssSampler(); const before = rss.reset(); await work(); console.log(rss.peak() - before);
 */
export async function startRssSampler(intervalMs = 5): Promise<RssSampler> {
  const buffer = new SharedArrayBuffer(8);
  const peak = new Float64Array(buffer);
  const worker = new Worker(SAMPLER, { eval: true, workerData: { buffer, intervalMs } });
  await new Promise<void>((resolve, reject) => {
    worker.once('online', () => resolve());
    worker.once('error', reject);
  });
  worker.unref(); // never keeps the bench alive, e.g. after an error
  const mb = (bytes: number) => bytes / 2 ** 20;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peak[0]) peak[0] = rss;
    return rss;
  };
  return {
    reset() {
      peak[0] = 0;
      return mb(sample());
    },
    peak() {
      sample();
      return mb(peak[0]);
    },
    async stop() {
      await worker.terminate();
    },
  };
}

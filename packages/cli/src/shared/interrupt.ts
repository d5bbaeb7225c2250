/** The command was stopped by SIGINT (Ctrl-C) or SIGTERM after finishing its current step. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`stopped by ${signal}; run the same command again to resume`);
  }
  /** 128 + the signal number, as shells report a process ended by it. */
  get exitCode(): number {
    return this.signal === 'SIGINT' ? 130 : 143;
  }
}

let controller: AbortController | undefined;

/**
 * An abort signal for long commands (`run`, `train`, `bench`): the first SIGINT/SIGTERM aborts it with
 * {@link Interrupted}, so the command stops after its current step (a training batch, a write) with every file
 * consistent; a second signal, or 15 s without stopping, ends the process at once.
 * @example
 * await runPipeline(pipeline, { container, signal: interruptSignal() });
 */
export function interruptSignal(): AbortSignal {
  if (controller) return controller.signal;
  const c = new AbortController();
  controller = c;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (c.signal.aborted) process.exit(code);
    process.stderr.write(`\nomniprune: ${signal}: stopping after the current step (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to stop at once)\n`);
    c.abort(new Interrupted(signal));
    setTimeout(() => process.exit(code), 15_000).unref();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return c.signal;
}

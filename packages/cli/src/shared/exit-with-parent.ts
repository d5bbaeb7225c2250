/**
 * A process spawned by a bench or queue worker (`OMNIPRUNE_PARENT_PID` set) ends when that worker is gone, even when
 * it was killed with -9 and could not stop its children: otherwise an orphaned run would go on writing a cell's
 * folder while the queue gives the cell to another worker. Checked every second; runs resume from their last
 * finished iteration.
 * @example
 * exitWithParent(process.env.OMNIPRUNE_PARENT_PID);
 */
export function exitWithParent(parentPid: string | undefined): void {
  const pid = Number(parentPid);
  if (!Number.isInteger(pid) || pid <= 1) return;
  setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') {
        process.stderr.write(`omniprune: the process that started this one (pid ${pid}) is gone; stopping\n`);
        process.exit(143);
      }
    }
  }, 1000).unref();
}

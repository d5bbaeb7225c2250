/** Default watts per fully busy core of the CPU-time estimate: a typical desktop/server core under load (TDP / cores). */
export const DEFAULT_WATTS_PER_CORE = 10;

/**
 * Estimated joules of `usage` (microseconds of user + system CPU time, as `process.cpuUsage()` gives it; all threads
 * of the process) at `wattsPerCore` watts per busy core. An estimate: idle, memory and uncore power are not in it.
 * @example
 * cpuTimeJoules({ user: 1_500_000, system: 500_000 }, 10) // 2 core-seconds x 10 W = 20 J
 */
export function cpuTimeJoules(usage: { readonly user: number; readonly system: number }, wattsPerCore: number = DEFAULT_WATTS_PER_CORE): number {
  return ((usage.user + usage.system) / 1e6) * wattsPerCore;
}

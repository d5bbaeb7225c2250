import { cpuTimeJoules, DEFAULT_WATTS_PER_CORE } from './cpu-time.js';
import { execCommand, readNvidiaEnergy, type ExecCommand } from './nvidia-smi.js';
import { DEFAULT_POWERCAP_ROOT, raplJoules, readRaplEnergy, type RaplZoneReading } from './rapl.js';

/** Where joules come from: RAPL package counters, NVIDIA's NVML counter (via `nvidia-smi`), or a CPU-time estimate. */
export type EnergySource = 'rapl' | 'nvml' | 'cpu-time-estimate';

/** A cumulative energy counter. */
export interface EnergyMeter {
  readonly source: EnergySource;
  /** True for the CPU-time estimate. */
  readonly estimated: boolean;
  /** Why the sources tried before this one were not used. */
  readonly skipped: readonly string[];
  /**
   * Joules since the meter was created; synchronous, so readings are taken exactly when asked. RAPL wrap-arounds are
   * unwrapped on each read (read at least once per wrap period); a RAPL read that fails keeps the last total.
   */
  read(): number;
}

/** Options of {@link createEnergyMeter}. */
export interface EnergyMeterOptions {
  /** `auto` (default) tries `rapl`, then `nvml`, then the CPU-time estimate. */
  readonly source?: 'auto' | EnergySource;
  /** Root of the powercap tree. Default `/sys/class/powercap`. */
  readonly raplRoot?: string;
  /** Watts per busy core of the estimate. Default {@link DEFAULT_WATTS_PER_CORE} (10). */
  readonly wattsPerCore?: number;
  /** Runs `nvidia-smi` (tests inject a fake). */
  readonly exec?: ExecCommand;
  /** CPU time of the process (tests inject a fake). Default `process.cpuUsage`. */
  readonly cpuUsage?: () => { user: number; system: number };
}

function raplMeter(root: string, skipped: string[]): EnergyMeter | string {
  const first = readRaplEnergy(root);
  if (!first.ok) return first.reason;
  let zones: readonly RaplZoneReading[] = first.zones;
  let joules = 0;
  return {
    source: 'rapl',
    estimated: false,
    skipped,
    read: () => {
      const now = readRaplEnergy(root);
      if (now.ok) {
        joules += raplJoules(zones, now.zones);
        zones = now.zones;
      }
      return joules;
    },
  };
}

function nvmlMeter(exec: ExecCommand, skipped: string[]): EnergyMeter | string {
  const first = readNvidiaEnergy(exec);
  if (!first.ok) return first.reason;
  return {
    source: 'nvml',
    estimated: false,
    skipped,
    read: () => {
      const now = readNvidiaEnergy(exec);
      if (!now.ok) throw new Error(`nvidia-smi stopped reporting energy: ${now.reason}`);
      return now.joules - first.joules;
    },
  };
}

function cpuMeter(cpuUsage: () => { user: number; system: number }, wattsPerCore: number, skipped: string[]): EnergyMeter {
  const start = cpuUsage();
  return {
    source: 'cpu-time-estimate',
    estimated: true,
    skipped,
    read: () => {
      const now = cpuUsage();
      return cpuTimeJoules({ user: now.user - start.user, system: now.system - start.system }, wattsPerCore);
    },
  };
}

/**
 * The first energy source that works, in the order `rapl` (Linux powercap package counters), `nvml` (all NVIDIA GPUs,
 * `nvidia-smi`), CPU-time estimate (process CPU time x `wattsPerCore`, `estimated: true`); or the one `source` names
 * (falling back to the estimate, with the reason in `skipped`, when it is unavailable).
 * @example
 * const meter = createEnergyMeter(); const j0 = meter.read(); await work(); const joules = meter.read() - j0;
 */
export function createEnergyMeter(options: EnergyMeterOptions = {}): EnergyMeter {
  const source = options.source ?? 'auto';
  const skipped: string[] = [];
  if (source === 'auto' || source === 'rapl') {
    const meter = raplMeter(options.raplRoot ?? DEFAULT_POWERCAP_ROOT, skipped);
    if (typeof meter !== 'string') return meter;
    skipped.push(`rapl: ${meter}`);
  }
  if (source === 'auto' || source === 'nvml') {
    const meter = nvmlMeter(options.exec ?? execCommand, skipped);
    if (typeof meter !== 'string') return meter;
    skipped.push(`nvml: ${meter}`);
  }
  return cpuMeter(options.cpuUsage ?? (() => process.cpuUsage()), options.wattsPerCore ?? DEFAULT_WATTS_PER_CORE, skipped);
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Default root of the Linux powercap tree. */
export const DEFAULT_POWERCAP_ROOT = '/sys/class/powercap';

/** One top-level RAPL zone's counter. */
export interface RaplZoneReading {
  /** Directory name, e.g. `intel-rapl:0`. */
  readonly zone: string;
  /** Contents of its `name` file, e.g. `package-0` (`''` when absent). */
  readonly name: string;
  /** Cumulative energy counter in microjoules (`energy_uj`). */
  readonly energyUj: number;
  /** Value at which the counter wraps to 0 (`max_energy_range_uj`). */
  readonly maxEnergyRangeUj: number;
}

/** A RAPL reading, or why there is none (no powercap tree, counters not readable). */
export type RaplReading = { readonly ok: true; readonly zones: readonly RaplZoneReading[] } | { readonly ok: false; readonly reason: string };

const TOP_LEVEL_ZONE = /^intel-rapl:\d+$/;

function readNumber(file: string): number {
  const text = readFileSync(file, 'utf8').trim();
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new Error(`${file} holds "${text}", not a number`);
  return value;
}

function describeFailure(err: unknown, root: string): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return `RAPL counters under ${root} are not readable (${e.code}; root-only since Linux 5.10): run as root or make them readable, e.g. sudo chmod a+r ${root}/intel-rapl:*/energy_uj`;
  }
  if (e.code === 'ENOENT') return `no RAPL powercap tree at ${root} (not Linux, no Intel/AMD RAPL, or a container without /sys/class/powercap)`;
  return `RAPL counters under ${root} unreadable: ${e.message}`;
}

/**
 * Read the top-level RAPL package zones (`<root>/intel-rapl:N/energy_uj`) of the Linux powercap tree. Subzones
 * (`intel-rapl:N:M`: cores, uncore, dram) are inside their package's counter and are skipped, so nothing is counted
 * twice; so is a `psys` (platform) zone when package zones exist, for the same reason. Never throws: a missing tree
 * or unreadable counters (EACCES) give `{ ok: false, reason }`. Synchronous (sysfs reads take microseconds), so a
 * reading can be taken exactly when a fine-tune starts.
 * @example
 * const r = readRaplEnergy(); if (r.ok) console.log(r.zones.map((z) => `${z.name}: ${z.energyUj} uJ`));
 */
export function readRaplEnergy(root: string = DEFAULT_POWERCAP_ROOT): RaplReading {
  try {
    const dirs = readdirSync(root)
      .filter((d) => TOP_LEVEL_ZONE.test(d))
      .sort();
    const zones: RaplZoneReading[] = [];
    for (const zone of dirs) {
      const energyUj = readNumber(join(root, zone, 'energy_uj'));
      const maxEnergyRangeUj = readNumber(join(root, zone, 'max_energy_range_uj'));
      let name = '';
      try {
        name = readFileSync(join(root, zone, 'name'), 'utf8').trim();
      } catch {
        // zones without a name file are kept as packages
      }
      zones.push({ zone, name, energyUj, maxEnergyRangeUj });
    }
    const packages = zones.filter((z) => z.name !== 'psys');
    const chosen = packages.length > 0 ? packages : zones;
    if (chosen.length === 0) return { ok: false, reason: `no intel-rapl:N zones under ${root}` };
    return { ok: true, zones: chosen };
  } catch (err) {
    return { ok: false, reason: describeFailure(err, root) };
  }
}

/**
 * Joules between two readings of the same zones, each zone's counter unwrapped once through its
 * `max_energy_range_uj` when it went down (the counter wrapped). Zones missing from either reading are ignored.
 * Read at least once per wrap period (minutes at full load) or energy is lost.
 * @example
 * raplJoules([{ zone: 'intel-rapl:0', name: 'package-0', energyUj: 900, maxEnergyRangeUj: 1000 }],
 *            [{ zone: 'intel-rapl:0', name: 'package-0', energyUj: 100, maxEnergyRangeUj: 1000 }]) // 0.0002 (200 uJ)
 */
export function raplJoules(before: readonly RaplZoneReading[], after: readonly RaplZoneReading[]): number {
  let uj = 0;
  for (const a of after) {
    const b = before.find((z) => z.zone === a.zone);
    if (!b) continue;
    uj += a.energyUj >= b.energyUj ? a.energyUj - b.energyUj : a.energyUj + a.maxEnergyRangeUj - b.energyUj;
  }
  return uj / 1e6;
}

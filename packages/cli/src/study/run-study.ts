import { join } from 'node:path';
import { validatePipeline, writeFileAtomic } from '@omniprune/core';
import type { BenchSpec } from '../bench/bench-spec.js';
import { metricLabel, type BenchCell } from '../bench/cells.js';
import { builtinContainer } from '../shared/plugin-registry.js';
import { startBackend } from '../shared/common-args.js';
import { selectRunner } from '../shared/select-runner.js';
import { loadPipelinePlugins } from '@omniprune/core';
import { runOracle, type SeedStudy, type StudyMetric } from './oracle.js';
import { analyzeStudy } from './study-analysis.js';
import { renderStudyHtml, studyText } from './study-report.js';

/** The bench's metrics the study can score: those on the pipeline's similarity layer (output-level ones are skipped). */
function studyMetrics(spec: BenchSpec, log: (line: string) => void): StudyMetric[] {
  return spec.metrics.flatMap((m) => {
    const entry = typeof m === 'string' ? { use: m } : m;
    if (entry.layer !== undefined) {
      log(`study: skipping ${metricLabel(m)} (the study compares every metric on the pipeline's similarity layer)`);
      return [];
    }
    return [{ label: metricLabel(m), use: entry.use, with: entry.with }];
  });
}

/**
 * `bench --oracle`: for each seed, the oracle of the bench's base pipeline (its first cell of that seed, arm `all`)
 * in `outDir/study/seed-N` (resumable per candidate), then every metric and block criterion against it; writes
 * `study.json` and `study.html` and returns the table as text.
 * @example
 * process.stdout.write(await runStudy(spec, cells, outDir, log));
 */
export async function runStudy(spec: BenchSpec, cells: readonly BenchCell[], outDir: string, log: (line: string) => void): Promise<string> {
  const metrics = studyMetrics(spec, log);
  const container = builtinContainer();
  await loadPipelinePlugins(spec.pipelineFile, container);
  const studies: SeedStudy[] = [];
  const seconds: number[] = [];
  const pipelines = spec.seeds.map((seed) => {
    const cell = cells.find((c) => c.seed === seed && c.arm === 'all') ?? cells.find((c) => c.seed === seed)!;
    const dir = join(outDir, 'study', `seed-${seed}`);
    return { dir, pipeline: validatePipeline(cell.pipeline, container, join(dir, 'pipeline.yaml')) };
  });
  const backend = await startBackend(pipelines[0].pipeline.backend);
  const runner = await selectRunner(pipelines[0].pipeline.runner);
  for (const { dir, pipeline } of pipelines) {
    const started = Date.now();
    studies.push(await runOracle({ pipeline, container, dir, metrics, study: spec.study, log, backend, runner }));
    seconds.push((Date.now() - started) / 1000);
  }
  const results = analyzeStudy(
    studies,
    metrics.map((m) => m.label),
    spec.study.blockCriteria,
  );
  const json = { name: spec.name, seeds: spec.seeds, settings: spec.study, secondsPerSeed: seconds, results, seedStudies: studies };
  await writeFileAtomic(join(outDir, 'study.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFileAtomic(join(outDir, 'study.html'), renderStudyHtml(spec.name, results, studies));
  return `${studyText(results, spec.seeds)}wrote ${join(outDir, 'study.json')}, study.html (${seconds.map((s) => s.toFixed(0)).join(', ')} s per seed in this invocation)\n`;
}

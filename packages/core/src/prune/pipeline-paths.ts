import { dirname, isAbsolute, relative, resolve } from 'node:path';

/**
 * A copy of a raw pipeline (parsed YAML) with every file path it holds passed through `map`. The one list of a
 * pipeline's path fields: `model.path`, `data.dataset.path`, local `plugins` (`./x`, absolute) and the
 * out-of-distribution sets of evaluators (`evaluate[].with.sets[].path`). `output` is left as written: a run resolves
 * it against the pipeline's folder, and `--out` overrides it.
 */
function mapPaths(pipeline: Record<string, unknown>, map: (path: string) => string): Record<string, unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: a pipeline object of any shape; only its known paths are read
  const out = structuredClone(pipeline) as Record<string, any>;
  const mapped = (p: unknown) => (typeof p === 'string' ? map(p) : p);
  if (out.model?.path !== undefined) out.model.path = mapped(out.model.path);
  if (out.data?.dataset?.path !== undefined) out.data.dataset.path = mapped(out.data.dataset.path);
  if (Array.isArray(out.plugins)) out.plugins = out.plugins.map((p: unknown) => (typeof p === 'string' && (p.startsWith('.') || isAbsolute(p)) ? map(p) : p));
  for (const entry of Array.isArray(out.evaluate) ? out.evaluate : []) {
    for (const set of Array.isArray(entry?.with?.sets) ? entry.with.sets : []) if (set?.path !== undefined) set.path = mapped(set.path);
  }
  return out;
}

/**
 * A raw pipeline with its relative paths made absolute against the pipeline file's folder, so it runs from anywhere
 * (a bench cell, a queue worker).
 * @example
 * absolutePipelinePaths({ model: { path: 'models/m.json' } }, '/work/p/pipeline.yaml') // { model: { path: '/work/p/models/m.json' } }
 */
export function absolutePipelinePaths(pipeline: Record<string, unknown>, pipelineFile: string): Record<string, unknown> {
  const base = dirname(pipelineFile);
  return mapPaths(pipeline, (p) => (isAbsolute(p) ? p : resolve(base, p)));
}

/**
 * A raw pipeline with its absolute paths inside `root` made relative to it (`./models/x.json`), so a worker on another
 * machine finds them in its own copy of the project; paths outside `root` (system data sets) stay absolute.
 * @example
 * relativePipelinePaths({ model: { path: '/work/p/models/m.json' } }, '/work/p') // { model: { path: './models/m.json' } }
 */
export function relativePipelinePaths(pipeline: Record<string, unknown>, root: string): Record<string, unknown> {
  return mapPaths(pipeline, (p) => {
    const rel = relative(root, p);
    return isAbsolute(p) && rel && !rel.startsWith('..') && !isAbsolute(rel) ? `./${rel}` : p;
  });
}

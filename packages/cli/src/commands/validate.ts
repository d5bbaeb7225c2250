import { defineCommand } from 'citty';
import { readFile } from 'node:fs/promises';
import { loadPipeline, parsePipelineYaml } from '@omniprune/core';
import { loadBenchSpec } from '../bench/bench-spec.js';
import { isBenchFile, validatedCells } from '../bench/validate-bench.js';
import { builtinContainer } from '../shared/plugin-registry.js';

/** Validate a bench file: its own schema, then every cell as the pipeline it will run. */
async function validateBench(path: string): Promise<void> {
  const spec = await loadBenchSpec(path);
  const cells = await validatedCells(spec, spec.outDir);
  const metrics = [...new Set(cells.map((c) => c.metric))].join(', ');
  process.stdout.write(
    `${path}: valid bench (${cells.length} cells: metrics ${metrics}; seeds ${spec.seeds.join(', ')}; arms ${spec.arms.join(', ')}; output: ${spec.outDir})\n`,
  );
}

/** `omniprune validate`: check a pipeline (or bench) file without allocating any tensor. */
export default defineCommand({
  meta: {
    name: 'validate',
    description: 'Check a pipeline YAML (syntax, schema, plugin names and their options), or a bench YAML and every pipeline it expands to',
  },
  args: { pipeline: { type: 'positional', required: true, description: 'Pipeline or bench YAML file' } },
  async run({ args }) {
    const text = await readFile(args.pipeline, 'utf8').catch(() => null);
    if (text !== null && isBenchFile(parsePipelineYaml(text, args.pipeline))) return validateBench(args.pipeline);
    const pipeline = await loadPipeline(args.pipeline, builtinContainer());
    const pruners = pipeline.pruners.map((p) => p.use).join(', ');
    process.stdout.write(`${args.pipeline}: valid (pruners: ${pruners}; similarity: ${pipeline.similarity.use}; output: ${pipeline.output})\n`);
  },
});

import { defineCommand } from 'citty';
import { loadPipeline } from '@omniprune/core';
import { builtinContainer } from '../shared/plugin-registry.js';

/** `omniprune validate`: check a pipeline file without allocating any tensor. */
export default defineCommand({
  meta: { name: 'validate', description: 'Check a pipeline YAML: syntax, schema, plugin names and their options' },
  args: { pipeline: { type: 'positional', required: true, description: 'Pipeline YAML file' } },
  async run({ args }) {
    const pipeline = await loadPipeline(args.pipeline, builtinContainer());
    const pruners = pipeline.pruners.map((p) => p.use).join(', ');
    process.stdout.write(`${args.pipeline}: valid (pruners: ${pruners}; similarity: ${pipeline.similarity.use}; output: ${pipeline.output})\n`);
  },
});

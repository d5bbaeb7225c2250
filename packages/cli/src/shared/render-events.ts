import { createProgressRenderer } from '@omniprune/core/train';
import type { PipelineEvent } from '@omniprune/core';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const mflops = (x: number) => `${(x / 1e6).toFixed(2)} M`;

/**
 * Render pipeline events as progress lines on `stream` (training progress as a live bar on a TTY).
 * @example
 * runPipeline(p, { container, onEvent: createEventRenderer(process.stderr) });
 */
export function createEventRenderer(stream: NodeJS.WriteStream = process.stderr): (e: PipelineEvent) => void {
  const train = createProgressRenderer(stream);
  const line = (s: string) => stream.write(`${s}\n`);
  return (e) => {
    switch (e.type) {
      case 'log':
        return line(e.message);
      case 'baseline':
        return line(`baseline: accuracy ${pct(e.stats.accuracy)}, ${mflops(e.stats.flops)} FLOPs, ${(e.stats.params / 1e6).toFixed(3)} M params`);
      case 'resumed':
        return line(`resuming after ${e.completed} finished iteration(s)`);
      case 'iteration-start':
        return line(`iteration ${e.iteration}`);
      case 'candidate-scored':
        return line(
          `  candidate ${e.record.kind}: ${e.record.summary}; similarity ${e.record.similarity.toFixed(4)}, ${mflops(e.record.flops)} FLOPs (${e.record.seconds.toFixed(0)} s)`,
        );
      case 'chosen':
        return line(`  chosen: ${e.record.kind}`);
      case 'iteration-end':
        return line(`  accuracy ${pct(e.stats.accuracy)}, FLOPs -${pct(e.flopsReduction)}, params -${pct(e.paramsReduction)}`);
      case 'train':
        return train(e.event);
      case 'evaluated': {
        const what = e.phase === 'baseline' ? 'base model' : e.phase === 'final' ? 'final model' : `iteration ${e.iteration}`;
        for (const [name, r] of Object.entries(e.results)) line(`  evaluate ${name} (${what}): ${r.summary}${r.estimated ? ' [estimated]' : ''}`);
        for (const [name, r] of Object.entries(e.results)) for (const w of r.warnings ?? []) line(`  warning: ${name}: ${w}`);
        return;
      }
      case 'done':
        return line(`done: ${e.report.stopMessage ?? e.report.stopReason}`);
    }
  };
}

import { groupOfSpace, type ChannelSpaces } from './channel-spaces.js';
import type { ChannelGroup, GraphLayer, ResidualBlock } from '@omniprune/plugin-api';

/** A residual block (declared in `@omniprune/plugin-api`). */
export type { ResidualBlock };

function ancestors(name: string, layers: ReadonlyMap<string, GraphLayer>, memo: Map<string, Set<string>>): Set<string> {
  const hit = memo.get(name);
  if (hit) return hit;
  const out = new Set<string>();
  for (const p of layers.get(name)!.inbound) {
    out.add(p);
    for (const a of ancestors(p, layers, memo)) out.add(a);
  }
  memo.set(name, out);
  return out;
}

/** Find residual blocks: Add layers with two inputs, one of which feeds the other through a private branch. */
export function findResidualBlocks(
  order: readonly string[],
  layers: ReadonlyMap<string, GraphLayer>,
  groups: readonly ChannelGroup[],
  spaces: ChannelSpaces,
): ResidualBlock[] {
  const memo = new Map<string, Set<string>>();
  const stageOf = (layer: GraphLayer): string => groupOfSpace(groups, spaces, layer.outLayout[0]?.space ?? -1)?.id ?? '?';
  const found: Omit<ResidualBlock, 'index' | 'indexInStage'>[] = [];
  for (const name of order) {
    const layer = layers.get(name)!;
    if (layer.className !== 'Add' || layer.inbound.length !== 2) continue;
    const [a, b] = layer.inbound;
    const ancA = ancestors(a, layers, memo);
    const ancB = ancestors(b, layers, memo);
    const [input, end, ancEnd] = ancB.has(a) ? [a, b, ancB] : ancA.has(b) ? [b, a, ancA] : [null, null, null];
    if (!input || !end || !ancEnd) {
      const common = [...ancA].filter((x) => ancB.has(x));
      const nearest = order.filter((n) => common.includes(n)).pop() ?? a;
      found.push({
        id: name,
        input: nearest,
        branch: [],
        identity: false,
        stage: stageOf(layer),
        unremovableReason: 'projection shortcut: the block changes shape',
      });
      continue;
    }
    const ancInput = ancestors(input, layers, memo);
    const branchSet = new Set([...ancEnd, end].filter((n) => n !== input && !ancInput.has(n)));
    const branch = order.filter((n) => branchSet.has(n));
    let reason: string | undefined;
    for (const n of branch) {
      const l = layers.get(n)!;
      if (l.inbound.some((p) => p !== input && !branchSet.has(p))) reason = `branch layer "${n}" reads from outside the block`;
      if (l.consumers.some((c) => c !== name && !branchSet.has(c))) reason = `branch layer "${n}" is read from outside the block`;
      if (!l.adapter) reason ??= `branch layer "${n}" (${l.className}) is not supported by the engine and is kept`;
    }
    found.push({ id: name, input, branch, identity: true, stage: stageOf(layer), unremovableReason: reason });
  }
  const perStage = new Map<string, number>();
  return found.map((blk, index) => {
    const indexInStage = perStage.get(blk.stage) ?? 0;
    perStage.set(blk.stage, indexInStage + 1);
    return { ...blk, index, indexInStage };
  });
}

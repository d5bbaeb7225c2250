import { foldConstant } from './const-fold.js';
import type { DecodedGraph, DecodedNode } from './onnx-model.js';

/**
 * Graph rewrites before conversion: nodes no output depends on are dropped, and op sequences exporters emit for
 * one PyTorch module are fused back into that module's op: GELU (torch's `x * 0.5 * (1 + erf(x / sqrt(2)))`),
 * HardSwish (`x * HardSigmoid(x)`, before opset 14), and `MatMul` + constant `Add` (a Linear) into `Gemm`.
 */

/** What the rewrites did, by kind (`gelu`, `hardswish`, `linear`, `dead`). */
export type FuseCounts = Map<string, number>;

function node(opType: string, name: string, inputs: string[], outputs: string[]): DecodedNode {
  return { name, opType, domain: '', inputs, outputs, attributes: new Map() };
}

/** Replace the trailing op segment of a torch node name: `/act/Erf` -> `/act/Gelu`. */
function renamed(name: string, opType: string): string {
  const i = name.lastIndexOf('/');
  return i >= 0 ? `${name.slice(0, i + 1)}${opType}` : name;
}

/**
 * Apply the rewrites to a graph's node list (returns a new list; the graph is not modified).
 * @example
 * const nodes = fusePatterns(model.graph, counts); // Gelu nodes instead of Div/Erf/Add/Mul/Mul
 */
export function fusePatterns(graph: DecodedGraph, counts: FuseCounts): DecodedNode[] {
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  const nodes: (DecodedNode | null)[] = [...graph.nodes];
  const inits = new Map(graph.initializers.map((t) => [t.name, t]));
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n!.outputs.forEach((o) => producer.set(o, i)));
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const consumers = (name: string): number[] => nodes.flatMap((n, i) => (n?.inputs.includes(name) ? [i] : []));
  const only = (name: string): DecodedNode | undefined => {
    const c = consumers(name);
    return c.length === 1 && !outputs.has(name) ? nodes[c[0]]! : undefined;
  };
  const scalar = (name: string): number | undefined => {
    const t =
      inits.get(name) ??
      (() => {
        const p = producer.get(name);
        const n = p === undefined ? undefined : nodes[p];
        return n?.opType === 'Constant' ? foldConstant(n, [], 13)?.[0] : undefined;
      })();
    return t && t.values.length === 1 ? t.values[0] : undefined;
  };
  const isConst = (name: string): boolean => inits.has(name) || nodes[producer.get(name) ?? -1]?.opType === 'Constant';
  const near = (v: number | undefined, target: number) => v !== undefined && Math.abs(v - target) < 1e-4 * Math.abs(target);
  const other = (n: DecodedNode, name: string) => (n.inputs[0] === name ? n.inputs[1] : n.inputs[0]);
  const replace = (drop: DecodedNode[], last: DecodedNode, fused: DecodedNode) => {
    for (const d of drop) nodes[nodes.indexOf(d)] = null;
    nodes[nodes.indexOf(last)] = fused;
  };

  for (const erf of [...nodes]) {
    if (erf?.opType !== 'Erf') continue;
    const scale = nodes[producer.get(erf.inputs[0]) ?? -1];
    if (
      !scale ||
      !((scale.opType === 'Div' && near(scalar(scale.inputs[1]), Math.SQRT2)) || (scale.opType === 'Mul' && near(scalar(scale.inputs[1]), Math.SQRT1_2)))
    )
      continue;
    const x = scale.inputs[0];
    const add = only(erf.outputs[0]);
    if (add?.opType !== 'Add' || !near(scalar(other(add, erf.outputs[0])), 1)) continue;
    const mulX = only(add.outputs[0]);
    if (mulX?.opType !== 'Mul' || other(mulX, add.outputs[0]) !== x) continue;
    const half = only(mulX.outputs[0]);
    if (half?.opType !== 'Mul' || !near(scalar(other(half, mulX.outputs[0])), 0.5) || only(scale.outputs[0]) !== erf) continue;
    replace([scale, erf, add, mulX], half, node('Gelu', renamed(erf.name, 'Gelu'), [x], [half.outputs[0]]));
    bump('gelu');
  }

  for (const hs of [...nodes]) {
    if (hs?.opType !== 'HardSigmoid' || !near(hs.attributes.get('alpha')?.f ?? 0.2, 1 / 6) || (hs.attributes.get('beta')?.f ?? 0.5) !== 0.5) continue;
    const mul = only(hs.outputs[0]);
    if (mul?.opType !== 'Mul' || other(mul, hs.outputs[0]) !== hs.inputs[0]) continue;
    replace([hs], mul, node('HardSwish', renamed(mul.name, 'HardSwish'), [hs.inputs[0]], [mul.outputs[0]]));
    bump('hardswish');
  }

  for (const mm of [...nodes]) {
    if (mm?.opType !== 'MatMul' || !isConst(mm.inputs[1])) continue;
    const add = only(mm.outputs[0]);
    const bias = add?.opType === 'Add' ? other(add, mm.outputs[0]) : undefined;
    if (!add || !bias || !isConst(bias)) continue;
    replace([mm], add, node('Gemm', renamed(mm.name, 'Gemm'), [mm.inputs[0], mm.inputs[1], bias], [add.outputs[0]]));
    bump('linear');
  }

  return pruneDead(
    nodes.filter((n): n is DecodedNode => n !== null),
    outputs,
    counts,
  );
}

/** Keep only nodes some graph output depends on. */
function pruneDead(nodes: DecodedNode[], outputs: ReadonlySet<string>, counts: FuseCounts): DecodedNode[] {
  const needed = new Set(outputs);
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (!nodes[i].outputs.some((o) => needed.has(o))) continue;
    keep[i] = true;
    for (const inp of nodes[i].inputs) if (inp) needed.add(inp);
  }
  const dead = nodes.filter((n, i) => !keep[i] && n.opType !== 'Constant').length;
  if (dead) counts.set('dead', dead);
  return nodes.filter((_, i) => keep[i]);
}

import type * as tfl from '@tensorflow/tfjs-layers';

const prod = (xs: readonly (number | null)[]): number => xs.reduce<number>((a, b) => a * (b ?? 1), 1);

function shapeOf(shape: unknown): (number | null)[] {
  const s = shape as unknown[];
  return (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
}

/**
 * Multiply-accumulates of one sample, counted independently of the library's FLOPs code:
 * conv: H_out * W_out * k * k * Cin * Cout; dense: positions * in * out. Other layers: 0.
 */
export function countMacs(model: tfl.LayersModel): { total: number; conv: number; dense: number } {
  let conv = 0;
  let dense = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'Dense') continue;
    const out = shapeOf(layer.outputShape).slice(1);
    const input = (layer.input as tfl.SymbolicTensor).shape.slice(1);
    const cin = input[input.length - 1] as number;
    const cout = out[out.length - 1] as number;
    if (cls === 'Conv2D') {
      const [kh, kw] = layer.getConfig().kernelSize as number[];
      conv += prod(out.slice(0, -1)) * kh * kw * cin * cout;
    } else {
      dense += prod(input.slice(0, -1)) * cin * cout;
    }
  }
  return { total: conv + dense, conv, dense };
}

/** Trainable and total parameter counts. */
export function countParams(model: tfl.LayersModel): { trainable: number; total: number } {
  const size = (ws: tfl.LayerVariable[]): number => ws.reduce((s, w) => s + prod(w.shape), 0);
  return { trainable: size(model.trainableWeights), total: size(model.weights) };
}

/** Names of the model's layers. */
export function layerNames(model: tfl.LayersModel): string[] {
  return model.layers.map((l) => l.name);
}

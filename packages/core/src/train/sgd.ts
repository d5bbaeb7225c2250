import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../errors/omniprune-error.js';

/** Hyper-parameters of {@link createSgd} that do not change during training. */
export interface SgdConfig {
  /** Momentum `mu` (0 = plain SGD). */
  readonly momentum: number;
  /** Nesterov momentum. */
  readonly nesterov: boolean;
  /** L2 coefficient added to the gradient of parameters with `decay: true`. */
  readonly weightDecay: number;
}

/** One parameter updated by {@link createSgd}. */
export interface SgdParam {
  /** The tensor the gradients are keyed by (`grads[variable.name]`). */
  readonly variable: tf.Variable;
  /** Whether `weightDecay` applies to this parameter. */
  readonly decay: boolean;
  /** Store the new value (a Layers variable applies its constraint here). */
  write(value: tf.Tensor): void;
}

/** Stateful SGD over a fixed parameter list; owns its momentum buffers until {@link SgdOptimizer.dispose}. */
export interface SgdOptimizer {
  /** Apply one update with learning rate `lr`. Gradients missing from `grads` leave their parameter unchanged. */
  step(grads: tf.NamedTensorMap, lr: number): void;
  /** Copy of the momentum buffers, one per parameter in the order given to {@link createSgd} (null: none yet). */
  exportState(): (Float32Array | null)[];
  /** Restore buffers from {@link SgdOptimizer.exportState} (to resume training exactly where it stopped). */
  importState(state: readonly (Float32Array | null)[]): void;
  /** Free the momentum buffers. */
  dispose(): void;
}

/**
 * Name of the fused SGD update kernel `@omniprune/backend-native` registers on wasm while its kernels are on (its
 * `SGD_UPDATE`; inputs `param`, `grad`, `velocity`, attrs `learningRate`, `momentum`, `nesterov`, `weightDecay`,
 * outputs `[param, velocity]`). Core calls it by name: the native package is an optional dependency.
 */
export const SGD_UPDATE_KERNEL = 'OmnipruneSgdUpdate';

/**
 * SGD with PyTorch semantics (dampening 0): `g' = g + wd * p` (decayed params only), `v = mu * v + g'`,
 * then `p -= lr * (g' + mu * v)` with Nesterov, else `p -= lr * v`; with `mu = 0`, `p -= lr * g'`.
 * @example
 * const sgd = createSgd(layerVariableParams(model), { momentum: 0.9, nesterov: true, weightDecay: 0 });
 * sgd.step(grads, 0.01); sgd.dispose();
 */
export function createSgd(params: readonly SgdParam[], config: SgdConfig): SgdOptimizer {
  const { momentum: mu, nesterov, weightDecay } = config;
  const buffers = new Map<string, tf.Variable>();
  const velocity = (p: tf.Variable): tf.Variable => {
    let v = buffers.get(p.name);
    if (!v) {
      v = tf.variable(tf.zerosLike(p), false);
      buffers.set(p.name, v);
    }
    return v;
  };
  return {
    step(grads, lr) {
      // the native backend's one-kernel update per parameter, when registered (same maths as the ops below)
      const fused = mu > 0 && tf.getKernel(SGD_UPDATE_KERNEL, tf.getBackend()) !== undefined;
      tf.tidy(() => {
        for (const param of params) {
          let g: tf.Tensor | undefined = grads[param.variable.name];
          if (!g) continue;
          const p = param.variable;
          if (fused && g.dtype === 'float32' && p.dtype === 'float32') {
            const v = velocity(p);
            const attrs = { learningRate: lr, momentum: mu, nesterov, weightDecay: param.decay ? weightDecay : 0 };
            const [next, nextVelocity] = tf.engine().runKernel(SGD_UPDATE_KERNEL, { param: p, grad: g, velocity: v }, attrs as never) as tf.Tensor[];
            v.assign(nextVelocity);
            param.write(next);
            continue;
          }
          if (weightDecay > 0 && param.decay) g = tf.add(g, tf.mul(p, weightDecay));
          let direction = g;
          if (mu > 0) {
            const v = velocity(p);
            v.assign(tf.add(tf.mul(v, mu), g));
            direction = nesterov ? tf.add(g, tf.mul(v, mu)) : v;
          }
          param.write(tf.sub(p, tf.mul(direction, lr)));
        }
      });
    },
    exportState() {
      return params.map((param) => {
        const v = buffers.get(param.variable.name);
        return v ? Float32Array.from(v.dataSync() as Float32Array) : null;
      });
    },
    importState(state) {
      if (state.length !== params.length) {
        throw new OmnipruneError('E_CORRUPT_FILE', `optimizer state holds ${state.length} buffers, the model has ${params.length} trainable weights`, {
          hint: 'the checkpoint belongs to another model; restart the training',
        });
      }
      for (const [i, param] of params.entries()) {
        const values = state[i];
        const p = param.variable;
        buffers.get(p.name)?.dispose();
        buffers.delete(p.name);
        if (!values) continue;
        if (values.length !== p.size) {
          throw new OmnipruneError('E_CORRUPT_FILE', `optimizer buffer ${i} holds ${values.length} values, weight ${p.name} has ${p.size}`, {
            hint: 'the checkpoint belongs to another model; restart the training',
          });
        }
        buffers.set(p.name, tf.variable(tf.tensor(values, p.shape), false));
      }
    },
    dispose() {
      for (const v of buffers.values()) v.dispose();
      buffers.clear();
    },
  };
}

/** True for kernel weights (`kernel`, `depthwise_kernel`, ...), the ones weight decay applies to. */
export function isKernelWeight(weight: tfl.LayerVariable): boolean {
  const base = weight.originalName.split('/').pop() ?? '';
  return /kernel$/.test(base);
}

/** SGD parameters for a model's trainable weights; kernels are decayed, biases and BN parameters are not. */
export function layerVariableParams(model: tfl.LayersModel): SgdParam[] {
  return model.trainableWeights.map((weight) => ({
    variable: weight.read() as tf.Variable,
    decay: isKernelWeight(weight),
    write: (value: tf.Tensor) => void weight.write(value),
  }));
}

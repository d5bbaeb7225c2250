import type { ChannelRole, WeightAxes } from '@omniprune/plugin-api';

/**
 * Types of the layer table (`layer-adapters.ts`): what the engine must know about a layer class, by role.
 * Fields a role cannot do without are required, so a new table entry missing one does not compile.
 */

/** A layer config: snake_case as in `model.json`, or camelCase as `layer.getConfig()` returns it. */
export type LayerConfig = Readonly<Record<string, unknown>>;

/** Channel roles and weight axes are part of the plugin API (one definition, in `@omniprune/plugin-api`). */
export type { ChannelRole, WeightAxes };

/** What a MAC count reads of one layer (shapes without the batch axis, unknown dimensions as 1). */
export interface MacInput {
  /** Shape of the (first) input. */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  /** The layer's config, either case (read it with {@link configValue}). */
  readonly config: LayerConfig;
  /** Weight short name (`kernel`, `depthwise_kernel`, ...) -> shape. */
  readonly weights: Readonly<Record<string, readonly number[]>>;
}

/**
 * A layer's multiply-accumulates per sample, split by how they shrink when channels are removed. Their sum is the
 * layer's FLOPs in `countCost`; the split lets FLOPs after pruning be predicted without rebuilding the model.
 */
export interface FlopsSplit {
  /** MACs proportional to kept input channels x kept output channels (Conv2D, Dense, a pointwise kernel). */
  readonly inOut: number;
  /** MACs proportional to kept input channels only (depthwise kernels; attention, as an approximation). */
  readonly inOnly: number;
}

/** How a layer's MACs are counted from its shapes, config and weights. */
export type MacCount = (layer: MacInput) => FlopsSplit;

/** Attention heads of a layer class: how to read, remove and mask them. */
export interface HeadAdapter {
  /** Head count and head width from the config. */
  readonly shape: (config: LayerConfig) => { numHeads: number; headDim: number };
  /** Config key (snake_case) holding the head count; rewritten when heads are removed. */
  readonly countKey: string;
  /** Weight short name -> axis indexed by `numHeads x headDim` (the head's columns of Q/K/V, rows of the output). */
  readonly axes: Readonly<Record<string, number>>;
  /** Weights whose head positions, zeroed, make the layer compute what it computes with the heads removed. */
  readonly maskedWeights: readonly string[];
}

/** Fields any role may have. */
interface AdapterFields {
  /** Weight short name (e.g. `kernel`, `moving_mean`) -> axes to slice. Weights not listed are copied whole. */
  readonly weights?: Readonly<Record<string, WeightAxes>>;
  /** MACs of one forward pass; {@link NO_MACS} for layers the convention does not count. Required: say it. */
  readonly macs: MacCount;
  /**
   * Weights that, set to zero, make the layer output exactly zero for any input (its output is affine in the
   * input and these weights are all of it): `bypassBlock` zeroes them to disable a residual branch ending here.
   */
  readonly zeroOutput?: readonly string[] | null;
  /** True when the layer mixes channels (LayerNorm, softmax): removing a channel is not equal to masking it. */
  readonly couplesChannels?: boolean;
  /** Why a layer of this class cannot take part in channel pruning in this configuration (null: it can). */
  readonly unsupported?: (config: LayerConfig, inputRank: number, weights: Readonly<Record<string, readonly number[]>>) => string | null;
  /** Rewrite the config after channels were removed; `outSize` is the new width of the output's channel axis. */
  readonly patchConfig?: (config: Record<string, unknown>, outSize: number) => void;
  /** Weight holding a batch normalisation's per-channel scale (`gamma`; network slimming reads it). */
  readonly batchNormScale?: string;
  /** Attention heads the engine can remove. */
  readonly heads?: HeadAdapter;
  /** True for a plain ReLU with this config (`max(x, 0)`: applying it twice is applying it once). */
  readonly isRelu?: (config: LayerConfig) => boolean;
  /** May trail the classifier (softmax, dropout): `penultimateLayer` walks back over it. */
  readonly classifierTail?: boolean;
}

/** A layer that creates a new channel space from its input channels (Conv2D, Dense, SeparableConv2D). */
export interface ProducerAdapter extends AdapterFields {
  readonly role: 'producer';
  /** Config key holding the number of output channels (rewritten when channels are removed). */
  readonly sizeKey: string;
  /** Weights read along `in` (the input channels) and written along `out` (the produced channels). */
  readonly weights: Readonly<Record<string, WeightAxes>>;
  /** Weights zeroing the output, or null when no weights can (then a branch ending here cannot be bypassed). */
  readonly zeroOutput: readonly string[] | null;
}

/** A layer whose output channels are its input channels (BN, activations, pooling, depthwise conv, attention). */
export interface PassthroughAdapter extends AdapterFields {
  readonly role: 'passthrough';
  readonly sizeKey?: undefined;
}

/** A layer that only routes channels: inputs, merges, concatenation, flatten, reshape. */
export interface RoutingAdapter extends AdapterFields {
  readonly role: 'source' | 'merge' | 'concat' | 'flatten' | 'reshape';
  readonly sizeKey?: undefined;
}

/** What the engine knows about one layer class (the table entry). */
export type LayerAdapter = ProducerAdapter | PassthroughAdapter | RoutingAdapter;

/** The MAC count of layers that do no multiply-accumulates in the convention (activations, BN, pooling, ...). */
export const NO_MACS: MacCount = () => ({ inOut: 0, inOnly: 0 });

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * A config value by its snake_case key, from a `model.json` config or a camelCase `getConfig()`.
 * @example
 * configValue({ kernelSize: [3, 3] }, 'kernel_size') // [3, 3]
 */
export function configValue(config: LayerConfig, key: string): unknown {
  return key in config ? config[key] : config[camel(key)];
}

/**
 * Set a config value under the key the config already uses (snake_case or camelCase; snake_case when neither).
 * @example
 * const c = { numHeads: 4 }; setConfigValue(c, 'num_heads', 3); // c.numHeads === 3
 */
export function setConfigValue(config: Record<string, unknown>, key: string, value: unknown): void {
  config[!(key in config) && camel(key) in config ? camel(key) : key] = value;
}

import { OmnipruneError } from '../../errors/omniprune-error.js';
import { isObject, type JsonObject, type LayerEntry } from './keras-json.js';

/** Keras initializer class names TF.js spells differently. */
const INITIALIZER_NAMES: Readonly<Record<string, string>> = {
  LecunNormal: 'LeCunNormal',
  LecunUniform: 'LeCunUniform',
  IdentityInitializer: 'Identity',
  ConstantInitializer: 'Constant',
  ZerosInitializer: 'Zeros',
  OnesInitializer: 'Ones',
};
/** Initializers TF.js 4.22 registers. */
const TFJS_INITIALIZERS: ReadonlySet<string> = new Set([
  'Zeros',
  'Ones',
  'Constant',
  'RandomUniform',
  'RandomNormal',
  'TruncatedNormal',
  'Identity',
  'VarianceScaling',
  'GlorotUniform',
  'GlorotNormal',
  'HeNormal',
  'HeUniform',
  'LeCunNormal',
  'LeCunUniform',
  'Orthogonal',
]);
/** Constraints TF.js 4.22 registers. */
const TFJS_CONSTRAINTS: ReadonlySet<string> = new Set(['MaxNorm', 'UnitNorm', 'NonNeg', 'MinMaxNorm']);
/** Keras activation names TF.js knows under another name. */
const ACTIVATION_NAMES: Readonly<Record<string, string>> = { silu: 'swish' };
/** Dtypes a TF.js layer can have. */
const TFJS_DTYPES: ReadonlySet<string> = new Set(['float32', 'int32', 'bool', 'string', 'complex64']);

/** What the per-layer fixes changed, for the notes. */
export interface LayerConfigCounts {
  batchShape: string[];
  renamed: Map<string, string>;
  dropped: string[];
  dtypes: Set<string>;
  axis: string[];
}

/** Fresh counters for {@link fixLayerConfig}. */
export function newLayerConfigCounts(): LayerConfigCounts {
  return { batchShape: [], renamed: new Map(), dropped: [], dtypes: new Set(), axis: [] };
}

/**
 * Make one layer's config readable by TF.js 4.22, in place: Keras 3 `batch_shape` -> `batch_input_shape`,
 * initializer/regularizer/constraint classes TF.js lacks mapped (`L2` -> `L1L2`, `LecunNormal` -> `LeCunNormal`)
 * or dropped, `silu` -> `swish`, half/double dtypes -> float32, BatchNormalization `axis: [3]` -> `3`.
 * Grouped convolutions (`groups > 1`) have no TF.js equivalent: an `E_UNSUPPORTED_LAYER` error.
 */
export function fixLayerConfig(entry: LayerEntry, counts: LayerConfigCounts): void {
  const config = entry.config;
  const name = String(config.name ?? entry.name ?? entry.class_name);
  if ('batch_shape' in config) {
    if (config.batch_input_shape === undefined) config.batch_input_shape = config.batch_shape;
    delete config.batch_shape;
    counts.batchShape.push(name);
  }
  if (entry.class_name === 'InputLayer') {
    if (config.batch_input_shape === undefined && Array.isArray(config.shape)) {
      config.batch_input_shape = [config.batch_size ?? null, ...config.shape];
      delete config.shape;
      delete config.batch_size;
      counts.batchShape.push(name);
    }
    delete config.ragged;
    delete config.optional;
    delete config.input_tensor;
  }
  if (typeof config.dtype === 'string' && !TFJS_DTYPES.has(config.dtype)) {
    counts.dtypes.add(config.dtype);
    config.dtype = 'float32';
  }
  for (const key of Object.keys(config)) {
    if (key.endsWith('_initializer')) config[key] = fixInitializer(config[key], `${name}.${key}`, counts);
    else if (key.endsWith('_regularizer')) config[key] = fixRegularizer(config[key], `${name}.${key}`, counts);
    else if (key.endsWith('_constraint')) config[key] = fixConstraint(config[key], `${name}.${key}`, counts);
  }
  for (const key of ['activation', 'recurrent_activation']) {
    const value = config[key];
    if (isObject(value) && typeof value.config === 'string') config[key] = value.config;
    if (typeof config[key] === 'string' && ACTIVATION_NAMES[config[key] as string]) {
      counts.renamed.set(`activation ${config[key]}`, ACTIVATION_NAMES[config[key] as string]);
      config[key] = ACTIVATION_NAMES[config[key] as string];
    }
  }
  if (entry.class_name === 'BatchNormalization' && Array.isArray(config.axis)) {
    if (config.axis.length !== 1) {
      throw new OmnipruneError(
        'E_UNSUPPORTED_LAYER',
        `BatchNormalization "${name}" normalises over several axes (${JSON.stringify(config.axis)}), which TF.js cannot`,
        {
          hint: 'use one channel axis (the default, -1)',
        },
      );
    }
    config.axis = config.axis[0];
    counts.axis.push(name);
  }
  if (typeof config.groups === 'number' && config.groups > 1) {
    throw new OmnipruneError(
      'E_UNSUPPORTED_LAYER',
      `${entry.class_name} "${name}" is a grouped convolution (groups=${config.groups}), which TF.js cannot run`,
      {
        hint: 'replace it by DepthwiseConv2D (groups == channels) or by separate convolutions before export',
      },
    );
  }
}

function fixInitializer(value: unknown, where: string, counts: LayerConfigCounts): unknown {
  if (!isObject(value) || typeof value.class_name !== 'string') return value;
  const className = INITIALIZER_NAMES[value.class_name] ?? value.class_name;
  if (className !== value.class_name) {
    counts.renamed.set(`initializer ${value.class_name}`, className);
    value.class_name = className;
  }
  if (TFJS_INITIALIZERS.has(className)) return value;
  counts.dropped.push(`${where} (${className} -> Zeros)`);
  return { class_name: 'Zeros', config: {} };
}

function fixRegularizer(value: unknown, where: string, counts: LayerConfigCounts): unknown {
  if (!isObject(value) || typeof value.class_name !== 'string') return value;
  const config = (isObject(value.config) ? value.config : {}) as JsonObject;
  if (value.class_name === 'L1L2') return value;
  if (value.class_name === 'L2' || value.class_name === 'L1') {
    counts.renamed.set(`regularizer ${value.class_name}`, 'L1L2');
    const l1 = value.class_name === 'L1' ? Number(config.l1 ?? 0.01) : 0;
    const l2 = value.class_name === 'L2' ? Number(config.l2 ?? 0.01) : 0;
    return { class_name: 'L1L2', config: { l1, l2 } };
  }
  counts.dropped.push(`${where} (${value.class_name})`);
  return null;
}

function fixConstraint(value: unknown, where: string, counts: LayerConfigCounts): unknown {
  if (!isObject(value) || typeof value.class_name !== 'string' || TFJS_CONSTRAINTS.has(value.class_name)) return value;
  counts.dropped.push(`${where} (${value.class_name})`);
  return null;
}

/** Note lines for the per-layer fixes. */
export function layerConfigNotes(counts: LayerConfigCounts): string[] {
  const notes: string[] = [];
  if (counts.batchShape.length > 0) notes.push(`batch_shape -> batch_input_shape on ${counts.batchShape.map((n) => `"${n}"`).join(', ')}`);
  for (const [from, to] of counts.renamed) notes.push(`${from} read as TF.js ${to}`);
  if (counts.dropped.length > 0) notes.push(`settings TF.js lacks were dropped (they only matter for fresh weights or training): ${counts.dropped.join(', ')}`);
  if (counts.dtypes.size > 0) notes.push(`layer dtypes ${[...counts.dtypes].join(', ')} read as float32 (TF.js computes in float32)`);
  if (counts.axis.length > 0) notes.push(`BatchNormalization axis lists of ${counts.axis.length} layers read as a single axis`);
  return notes;
}

import { isObject, type JsonObject } from './keras-json.js';

/** Keras dtype-policy classes (Keras 3 `DTypePolicy`/`FloatDTypePolicy`, Keras 2 mixed-precision `Policy`). */
const DTYPE_POLICIES: ReadonlySet<string> = new Set(['DTypePolicy', 'FloatDTypePolicy', 'Policy', 'PolicyV1']);

/** What {@link unwrapKerasObjects} changed, counted for the notes. */
export interface UnwrapCounts {
  wrappers: number;
  policies: number;
  /** Policies whose compute dtype is not float32 (mixed or half precision), by name. */
  nonFloat32Policies: Set<string>;
  quantized: Set<string>;
}

/**
 * Remove Keras 3 serialization wrappers in place: `{module, class_name, config, registered_name}` objects lose
 * `module`/`registered_name`/`compile_config`/`shared_object_id`, and dtype policies become the dtype string
 * TF.js understands (`float32`; mixed and half precision compute in float32 on TF.js).
 * `build_config` stays (the Sequential conversion reads input shapes from it); {@link stripBuildConfigs} drops it.
 */
export function unwrapKerasObjects(value: unknown, counts: UnwrapCounts): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = unwrapKerasObjects(value[i], counts);
    return value;
  }
  if (!isObject(value)) return value;
  if (typeof value.class_name === 'string' && DTYPE_POLICIES.has(value.class_name)) {
    counts.policies++;
    return policyDtype(value, counts);
  }
  if (typeof value.class_name === 'string' && /QuantizedDTypePolicy|QuantizedFloat8DTypePolicy/.test(value.class_name)) {
    counts.quantized.add(String((value.config as JsonObject | undefined)?.name ?? value.class_name));
    counts.policies++;
    return 'float32';
  }
  if (typeof value.class_name === 'string' && ('module' in value || 'registered_name' in value)) {
    counts.wrappers++;
    delete value.module;
    delete value.registered_name;
    delete value.compile_config;
    delete value.shared_object_id;
  }
  for (const key of Object.keys(value)) value[key] = unwrapKerasObjects(value[key], counts);
  return value;
}

/** The dtype TF.js computes a policy's layer in: always float32 (mixed precision keeps float32 weights). */
function policyDtype(policy: JsonObject, counts: UnwrapCounts): string {
  const name = String((policy.config as JsonObject | undefined)?.name ?? 'float32');
  if (name !== 'float32') counts.nonFloat32Policies.add(name);
  return 'float32';
}

/** Delete `build_config` (Keras 3 build state) from every object, in place. */
export function stripBuildConfigs(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) stripBuildConfigs(v);
  } else if (isObject(value)) {
    delete value.build_config;
    for (const v of Object.values(value)) stripBuildConfigs(v);
  }
}

/** Fresh counters for {@link unwrapKerasObjects}. */
export function newUnwrapCounts(): UnwrapCounts {
  return { wrappers: 0, policies: 0, nonFloat32Policies: new Set(), quantized: new Set() };
}

/** Note lines for what {@link unwrapKerasObjects} changed. */
export function unwrapNotes(counts: UnwrapCounts): string[] {
  const notes: string[] = [];
  if (counts.wrappers > 0)
    notes.push(
      `Keras 3 serialization: removed module/registered_name wrappers from ${counts.wrappers} objects (layers, initializers, regularizers, constraints)`,
    );
  if (counts.policies > 0) notes.push(`Keras dtype policies of ${counts.policies} layers replaced by the plain dtype "float32"`);
  if (counts.nonFloat32Policies.size > 0) {
    notes.push(`dtype policies ${[...counts.nonFloat32Policies].map((n) => `"${n}"`).join(', ')} compute in float32 on TF.js (weights keep their values)`);
  }
  if (counts.quantized.size > 0) {
    notes.push(
      `quantized dtype policies ${[...counts.quantized].join(', ')} are not supported by TF.js; the layers are read as float32 and their weights may not load`,
    );
  }
  return notes;
}

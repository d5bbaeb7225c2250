/**
 * Readable, unique TF.js layer names from ONNX node names. torch scopes nodes by module path
 * (`/layer1/layer1.0/conv1/Conv`); the layer is named after the module (`layer1.0.conv1`).
 */

/** What TF.js accepts: a letter or digit first, then letters, digits, `.`, `_`, `-` (no `/`, it separates weight names). */
function sanitize(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  return clean || 'layer';
}

/**
 * The readable part of an ONNX node name: module path segments, each dropping the parent it extends
 * (`layer1`, `layer1.0` -> `layer1.0`), without the trailing op segment (`Conv`, `Relu_1`). Unscoped names
 * (`Conv_12`) are kept; unnamed nodes are named after their op type.
 * @example
 * readableName('/layer1/layer1.0/conv1/Conv', 'Conv') // 'layer1.0.conv1'
 * readableName('/Flatten', 'Flatten')                  // 'flatten'
 */
export function readableName(nodeName: string, opType: string): string {
  if (!nodeName.includes('/')) return sanitize(nodeName || opType.toLowerCase());
  const segments = nodeName.split('/').filter(Boolean);
  const last = segments[segments.length - 1];
  if (last === opType || new RegExp(`^${opType}_\\d+$`).test(last)) segments.pop();
  const kept: string[] = [];
  for (const s of segments) {
    if (kept.length && s.startsWith(`${kept[kept.length - 1]}.`)) kept.pop();
    kept.push(s);
  }
  if (kept.length === 0) return opType.toLowerCase();
  return sanitize(kept.join('.'));
}

/** Hands out unique layer names. */
export class LayerNamer {
  private readonly used = new Set<string>();

  /** True when `name` (sanitised) has been handed out. */
  isTaken(name: string): boolean {
    return this.used.has(sanitize(name));
  }

  /** `base` sanitised, with `_2`, `_3`, ... appended when already taken. */
  unique(base: string): string {
    const clean = sanitize(base);
    let name = clean;
    for (let i = 2; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }
}

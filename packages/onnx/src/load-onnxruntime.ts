/** The onnxruntime-node module. */
export type OrtModule = typeof import('onnxruntime-node');

let cached: Promise<OrtModule | Error> | undefined;

/**
 * onnxruntime-node when it loads (its CPU binaries ship in the npm package), else the reason it does not.
 * @example
 * const ort = await loadOnnxRuntime(); if (ort instanceof Error) console.log(ort.message);
 */
export function loadOnnxRuntime(): Promise<OrtModule | Error> {
  cached ??= import('onnxruntime-node').then(
    (m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
    (e: unknown) => new Error(`onnxruntime-node unavailable: ${(e as Error).message.split('\n')[0]}`),
  );
  return cached;
}

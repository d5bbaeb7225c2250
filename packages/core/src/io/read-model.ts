import type * as tfl from '@tensorflow/tfjs-layers';
import { stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { listPlugins } from '../plugin/plugin-container.js';
import { pluginContext } from '../plugin/plugin-context.js';
import type { LoadedModel, ModelFormat, ModelFormatPlugin, ModelOrigin } from './model-format.js';
import { separateOutputSoftmax } from './separate-softmax.js';
import { tfjsLayersFormat } from './tfjs-layers-format.js';

/** Hints for files people try that no registered format reads. */
const FOREIGN_HINTS: Readonly<Record<string, string>> = {
  '.pt': 'export PyTorch models to ONNX first: torch.onnx.export(model, example, "model.onnx", dynamic_axes={"input": {0: "batch"}}), then pass model.onnx',
  '.pth': 'a .pth file holds weights, not the network: build the model in PyTorch, torch.onnx.export it, then pass model.onnx',
  '.pb': 'convert TensorFlow SavedModels to Keras (.keras) or with tensorflowjs_converter --input_format keras to model.json',
  '.tflite': 'TFLite models cannot be fine-tuned; start from the Keras or PyTorch model they were converted from',
  '.safetensors': 'a .safetensors file holds weights, not the network: export the model to ONNX and pass model.onnx',
};

/** The registered model formats (the container's `format:*` plugins), with core's TF.js Layers format always present. */
export function modelFormats(container?: DependencyContainer): ModelFormat[] {
  const registered = container
    ? listPlugins(container)
        .filter((p) => p.kind === 'format')
        .map((p) => (p as ModelFormatPlugin).create({}, pluginContext({ log: () => {}, seed: 0 })) as ModelFormat)
    : [];
  return registered.some((f) => f.name === tfjsLayersFormat.name) ? registered : [tfjsLayersFormat, ...registered];
}

/** The format that reads `file`, chosen by extension; an unknown extension is an error naming the readable ones. */
export function formatForFile(file: string, container?: DependencyContainer): ModelFormat {
  const ext = extname(file).toLowerCase();
  const formats = modelFormats(container);
  const hit = formats.find((f) => f.extensions.includes(ext));
  if (hit) return hit;
  const known = formats.flatMap((f) => f.extensions.map((e) => `${e} (${f.name})`)).join(', ');
  throw new OmnipruneError('E_BAD_INPUT', `no model format reads "${ext || file}" files (${file})`, {
    hint: FOREIGN_HINTS[ext] ?? `omniprune reads ${known}; a directory is read as its model.json`,
  });
}

/**
 * Read a model in any registered format: a TF.js/Keras `model.json` (or its directory), and with the matching
 * format plugins registered, Keras `.h5`/`.keras` and ONNX `.onnx`. Returns the model, where it came from and
 * what the reader changed on the way in (an output layer with a fused softmax is split so its logits can be read).
 * @example
 * const { model, origin, notes } = await readModel('examples/pytorch/resnet.onnx', container);
 */
export async function readModel(path: string, container?: DependencyContainer): Promise<LoadedModel> {
  const full = resolve(path);
  const s = await stat(full).catch(() => null);
  if (!s) {
    throw new OmnipruneError('E_FILE_NOT_FOUND', `no model at ${path}`, {
      hint: 'pass a model.json (or its directory), a Keras .h5/.keras file or an ONNX .onnx file',
    });
  }
  const file = s.isDirectory() ? join(full, 'model.json') : full;
  const loaded = await formatForFile(file, container).read(file);
  const { model, note } = await separateOutputSoftmax(loaded.model);
  return note ? { ...loaded, model, notes: [...loaded.notes, note] } : loaded;
}

/**
 * Write `model` in the format it came in (`origin.format`) into `dir` under that format's file name, when that
 * format can write and is not TF.js Layers (which every run writes anyway). Returns the path written, or null.
 * @example
 * const onnxPath = await writeInOriginFormat(model, origin, 'runs/x/final', container); // 'runs/x/final/model.onnx'
 */
export async function writeInOriginFormat(model: tfl.LayersModel, origin: ModelOrigin, dir: string, container?: DependencyContainer): Promise<string | null> {
  if (origin.format === tfjsLayersFormat.name) return null;
  const format = modelFormats(container).find((f) => f.name === origin.format);
  if (!format?.write || !format.fileName) return null;
  const file = join(dir, format.fileName);
  await format.write(model, file, origin);
  return file;
}

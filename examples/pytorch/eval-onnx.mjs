#!/usr/bin/env node
// Deployment side: accuracy of an ONNX image classifier on the Fashion-MNIST test set with onnxruntime-node.
//
//   node examples/pytorch/eval-onnx.mjs MODEL.onnx [--limit N] [--batch N] [--threads N]
//
// Reads the test IDX files of Debian's dataset-fashion-mnist ($FASHION_MNIST_DIR, default
// /usr/share/datasets/fashion-mnist), scales pixels to [0, 1], normalises with mean 0.2860 / std 0.3530 (as
// train_resnet.py), feeds float32 batches under the model's own input name (session.inputNames[0]), NCHW
// [n, 1, 28, 28] unless the model declares [n, 28, 28, 1], takes the argmax of the first output (logits or
// probabilities) and prints one JSON line. The same file works on the PyTorch export and on omniprune's
// final/model.onnx. onnxruntime-node is resolved from packages/onnx, where the workspace installs it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const MEAN = 0.286;
const STD = 0.353;
const USAGE = 'usage: node examples/pytorch/eval-onnx.mjs MODEL.onnx [--limit N] [--batch N] [--threads N]';

function parseArgs(argv) {
  const args = { model: undefined, limit: Infinity, batch: 500, threads: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--limit' || a === '--batch' || a === '--threads') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < (a === '--threads' ? 0 : 1)) fail(`${a} needs a positive integer`);
      args[a.slice(2)] = value;
    } else if (a.startsWith('--')) {
      fail(`unknown option ${a}`);
    } else if (args.model === undefined) {
      args.model = a;
    } else {
      fail(`unexpected argument ${a}`);
    }
  }
  if (args.model === undefined) fail('MODEL.onnx is missing');
  return args;
}

function fail(message) {
  console.error(`eval-onnx: ${message}\n${USAGE}`);
  process.exit(2);
}

/** One gzip IDX file of unsigned bytes: { shape, data: Uint8Array }. */
function readIdx(path) {
  let bytes;
  try {
    bytes = gunzipSync(readFileSync(path));
  } catch (err) {
    fail(`cannot read ${path} (${err.message}); install Debian's dataset-fashion-mnist or set FASHION_MNIST_DIR`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || view.getUint8(2) !== 0x08) fail(`${path}: not an unsigned-byte IDX file`);
  const ndim = view.getUint8(3);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const data = bytes.subarray(4 + 4 * ndim);
  if (data.length !== shape.reduce((a, b) => a * b, 1)) fail(`${path}: ${data.length} values for shape ${shape}`);
  return { shape, data };
}

function loadOnnxRuntime() {
  const require = createRequire(new URL('../../packages/onnx/package.json', import.meta.url));
  try {
    return require('onnxruntime-node');
  } catch (err) {
    fail(`onnxruntime-node did not load from packages/onnx (${err.message}); run pnpm install at the repository root`);
  }
}

const args = parseArgs(process.argv.slice(2));
const dataDir = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const images = readIdx(join(dataDir, 't10k-images-idx3-ubyte.gz'));
const labels = readIdx(join(dataDir, 't10k-labels-idx1-ubyte.gz'));
const [total, height, width] = images.shape;
const count = Math.min(total, args.limit);

const ort = loadOnnxRuntime();
const options = args.threads > 0 ? { intraOpNumThreads: args.threads } : {};
let session;
try {
  session = await ort.InferenceSession.create(args.model, options);
} catch (err) {
  fail(`cannot load ${args.model}: ${err.message}`);
}
const inputName = session.inputNames[0];
const outputName = session.outputNames[0];
const declared = session.inputMetadata?.find((m) => m.name === inputName)?.shape ?? [];
const channelsLast = declared.length === 4 && declared[3] === 1 && declared[1] !== 1;
if (declared.length === 4) {
  const [h, w] = channelsLast ? declared.slice(1, 3) : declared.slice(2, 4);
  if ((typeof h === 'number' && h !== height) || (typeof w === 'number' && w !== width)) {
    fail(`${args.model} expects ${inputName} of shape [${declared}], the test images are ${height}x${width}`);
  }
}

const pixels = height * width;
const started = performance.now();
let correct = 0;
for (let start = 0; start < count; start += args.batch) {
  const n = Math.min(args.batch, count - start);
  const x = new Float32Array(n * pixels);
  const src = images.data.subarray(start * pixels, (start + n) * pixels);
  for (let i = 0; i < x.length; i++) x[i] = (src[i] / 255 - MEAN) / STD;
  // with one channel, NCHW and NHWC hold the same bytes: only the declared dims differ
  const dims = channelsLast ? [n, height, width, 1] : [n, 1, height, width];
  const result = await session.run({ [inputName]: new ort.Tensor('float32', x, dims) });
  const out = result[outputName];
  const classes = out.dims[out.dims.length - 1];
  if (out.data.length !== n * classes) fail(`output ${outputName} has dims [${out.dims}] for a batch of ${n}`);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (out.data[i * classes + c] > out.data[i * classes + best]) best = c;
    if (best === labels.data[start + i]) correct++;
  }
  out.dispose?.();
}
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    model: args.model,
    input: inputName,
    layout: channelsLast ? 'NHWC' : 'NCHW',
    output: outputName,
    images: count,
    correct,
    accuracy: Number((correct / count).toFixed(6)),
    seconds: Number(seconds.toFixed(2)),
  }),
);
await session.release?.();

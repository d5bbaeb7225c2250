"""Fashion-MNIST from the IDX files of Debian's dataset-fashion-mnist package (no download).

The same preprocessing as eval-onnx.mjs: pixels scaled to [0, 1], then normalised with MEAN / STD.
"""
import gzip
import os
import struct

import numpy as np

DATA_DIR = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')
MEAN = 0.2860
STD = 0.3530
CLASSES = 10


def read_idx(path):
    """One IDX file (gzip) as a numpy array of its declared shape (uint8 data only)."""
    with gzip.open(path, 'rb') as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack('>HBB', data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f'{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})')
    shape = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise ValueError(f'{path}: {array.size} values for shape {shape}')
    return array.reshape(shape)


def load_split(split, data_dir=DATA_DIR):
    """(images uint8 [N, 28, 28], labels int64 [N]) of split 'train' or 't10k'."""
    images = read_idx(os.path.join(data_dir, f'{split}-images-idx3-ubyte.gz'))
    labels = read_idx(os.path.join(data_dir, f'{split}-labels-idx1-ubyte.gz'))
    if len(images) != len(labels):
        raise ValueError(f'{split}: {len(images)} images but {len(labels)} labels')
    return images, labels.astype(np.int64)


def to_unit(images):
    """uint8 [N, 28, 28] -> float32 [N, 1, 28, 28] in [0, 1] (NCHW)."""
    return (images.astype(np.float32) / 255.0)[:, None, :, :]


def normalise(x):
    """Normalize((MEAN,), (STD,)) on [0, 1] inputs (numpy or torch)."""
    return (x - MEAN) / STD

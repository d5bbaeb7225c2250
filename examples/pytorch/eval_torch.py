"""PyTorch's own test accuracy of the checkpoint train_resnet.py saved, to compare with eval-onnx.mjs.

    /usr/bin/python3 examples/pytorch/eval_torch.py [CHECKPOINT.pt] [--limit N] [--threads 2]

Same test images and preprocessing as eval-onnx.mjs (pixels scaled to [0, 1], mean 0.2860 / std 0.3530, NCHW);
prints one JSON line.
"""
import os

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')  # see train_resnet.py

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fashion_mnist import load_split, normalise, to_unit  # noqa: E402
from models import SmallResNet  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint', nargs='?', default=os.path.join(HERE, 'resnet-fashion-mnist.pt'))
    parser.add_argument('--limit', type=int, default=None)
    parser.add_argument('--batch', type=int, default=500)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    model = SmallResNet()
    model.load_state_dict(torch.load(args.checkpoint, map_location='cpu'))
    model.eval()
    images, labels = load_split('t10k')
    if args.limit is not None:
        images, labels = images[:args.limit], labels[:args.limit]
    x, y = torch.from_numpy(normalise(to_unit(images))), torch.from_numpy(labels)
    start = time.time()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), args.batch):
            correct += (model(x[i:i + args.batch]).argmax(1) == y[i:i + args.batch]).sum().item()
    print(json.dumps({'checkpoint': os.path.relpath(args.checkpoint), 'framework': f'torch {torch.__version__}',
                      'images': len(x), 'correct': correct, 'accuracy': round(correct / len(x), 6),
                      'seconds': round(time.time() - start, 2)}))


if __name__ == '__main__':
    main()

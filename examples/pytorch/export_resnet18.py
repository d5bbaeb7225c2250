"""Export torchvision's ResNet-18 for 1x28x28 inputs (random init, seed 0) to ONNX, BN kept, and count its MACs.

    /usr/bin/python3 examples/pytorch/export_resnet18.py [--out examples/pytorch/resnet18-1ch-28.onnx] [--seed 0]

The model is torchvision's resnet18(num_classes=10) with conv1 = Conv2d(1, 64, 7, 2, 3, bias=False): torchvision's
own 7x7 stride-2 stem and 3x3 max pool, one input channel (so a 28x28 image is 7x7 after the stem and 1x1 in the
last stage). Same export settings as train_resnet.py: eval mode, training=PRESERVE, no constant folding (every BN a
BatchNormalization node), input 'image' [batch, 1, 28, 28], output 'logits', opset 13. The file is ~45 MB and is
ignored by git (.gitignore): regenerate it with this script.
"""
import os

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')  # see train_resnet.py

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from count_flops import count_macs, count_params  # noqa: E402
from models import resnet18_1ch  # noqa: E402
from onnx_export import export_bn_kept, print_description  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default=os.path.join(HERE, 'resnet18-1ch-28.onnx'))
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    model = resnet18_1ch(num_classes=10)
    macs, layers = count_macs(model)
    print(f'resnet18 (torchvision, 1-channel 7x7 stride-2 stem): input 1x28x28, {len(layers)} conv/linear layers, '
          f'{macs:,} MACs ({macs / 1e6:.2f} M), {count_params(model):,} parameters')
    export_bn_kept(model, args.out)
    print_description(args.out)
    print(f'wrote {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB; not for git)')


if __name__ == '__main__':
    main()

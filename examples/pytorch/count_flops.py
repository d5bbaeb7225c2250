"""Multiply-accumulates (MACs) of the Conv2d and Linear layers of a PyTorch model, counted with forward hooks.

    /usr/bin/python3 examples/pytorch/count_flops.py --arch small-resnet
    /usr/bin/python3 examples/pytorch/count_flops.py --arch resnet18 [--per-layer] [--json]

Conv2d: out_h * out_w * out_c * k_h * k_w * in_c / groups (bias not counted); Linear: in * out. Batch norm, ReLU,
pooling and residual adds are not counted (the same convention as `omniprune inspect`). Input 1x1x28x28.
resnet18 is torchvision's resnet18(num_classes=10) with conv1 = Conv2d(1, 64, 7, 2, 3, bias=False): torchvision's
own stem and max pool, one input channel.
"""
import argparse
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import ARCHS, build  # noqa: E402


def count_macs(model, input_shape=(1, 1, 28, 28)):
    """(total MACs for one image, per-layer list of (name, type, macs)) with forward hooks on Conv2d and Linear."""
    layers = []
    hooks = []

    def hook(name):
        def fn(module, inputs, output):
            if isinstance(module, nn.Conv2d):
                _, out_c, out_h, out_w = output.shape
                k_h, k_w = module.kernel_size
                macs = out_h * out_w * out_c * k_h * k_w * module.in_channels // module.groups
            else:  # nn.Linear
                rows = output.numel() // output.shape[-1] // output.shape[0]  # positions per image
                macs = rows * module.in_features * module.out_features
            layers.append((name, type(module).__name__, int(macs)))
        return fn

    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            hooks.append(module.register_forward_hook(hook(name)))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(*input_shape))
    for h in hooks:
        h.remove()
    if input_shape[0] != 1:
        raise ValueError('count with a batch of 1: MACs are per image')
    return sum(m for _, _, m in layers), layers


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('model', nargs='?', default=None, choices=list(ARCHS),
                        help='architecture (same as --arch)')
    parser.add_argument('--arch', choices=list(ARCHS), default=None)
    parser.add_argument('--per-layer', action='store_true', help='print every conv/linear layer')
    parser.add_argument('--json', action='store_true', help='print one JSON line instead of text')
    args = parser.parse_args(argv)
    arch = args.arch or args.model or 'small-resnet'
    torch.manual_seed(0)
    model = build(arch)
    macs, layers = count_macs(model)
    params = count_params(model)
    if args.json:
        print(json.dumps({'arch': arch, 'input': [1, 28, 28], 'macs': macs, 'params': params,
                          'layers': len(layers)}))
        return
    if args.per_layer:
        for name, kind, m in layers:
            print(f'  {name:<28} {kind:<7} {m:>12,}')
    print(f'{arch}: input 1x28x28, {len(layers)} conv/linear layers, {macs:,} MACs ({macs / 1e6:.2f} M), '
          f'{params:,} parameters')


if __name__ == '__main__':
    main()

"""Train the small CIFAR-style ResNet (models.SmallResNet) on Fashion-MNIST and export it to ONNX.

    /usr/bin/python3 examples/pytorch/train_resnet.py [--epochs 6] [--seed 0] [--folded]

Full training set (60,000 images), pixels scaled to [0, 1] and normalised with Normalize((0.2860,), (0.3530,)),
random crop 28 with zero padding 2 + horizontal flip, CrossEntropyLoss on logits, SGD (momentum 0.9, Nesterov,
weight decay 5e-4), cosine learning rate from 0.1 (per step), batch 128, torch.set_num_threads(2); channels-last
memory format while training (faster convolutions on CPU; the saved weights and the export are ordinary NCHW).
Writes next to this file: resnet-fashion-mnist.pt (state dict), resnet-fashion-mnist.onnx (BN kept as
BatchNormalization nodes, input 'image' NCHW with a dynamic batch, output 'logits', opset 13), with --folded also
resnet-fashion-mnist-folded.onnx (BN folded into the convs), and train-log.json.
"""
import os

# Idle OpenMP threads sleep instead of spinning: on a 2-core machine shared with other work, spinning threads made
# a training step 6x slower (1.38 s vs 0.22 s, measured). Must be set before torch loads libgomp.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fashion_mnist import MEAN, STD, load_split, normalise, to_unit  # noqa: E402
from models import SmallResNet  # noqa: E402
from onnx_export import export_bn_kept, export_folded, print_description  # noqa: E402


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def augment(batch, generator, pad=2):
    """Random crop (zero padding `pad`, on [0, 1] pixels) + horizontal flip of a [B, 1, H, W] batch in one gather."""
    b, _, h, w = batch.shape
    padded = nn.functional.pad(batch, (pad, pad, pad, pad))
    oy = torch.randint(0, 2 * pad + 1, (b,), generator=generator)
    ox = torch.randint(0, 2 * pad + 1, (b,), generator=generator)
    flip = torch.rand(b, generator=generator) < 0.5
    iy = oy[:, None] + torch.arange(h)[None, :]
    cols = torch.arange(w)[None, :].expand(b, w)
    cols = torch.where(flip[:, None], w - 1 - cols, cols)
    ix = ox[:, None] + cols
    out = padded[torch.arange(b)[:, None, None], 0, iy[:, :, None], ix[:, None, :]]
    return out[:, None, :, :]


@torch.no_grad()
def evaluate(model, x, y, batch_size=1000, memory_format=torch.contiguous_format):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch_size):
        logits = model(normalise(x[i:i + batch_size]).contiguous(memory_format=memory_format))
        correct += (logits.argmax(1) == y[i:i + batch_size]).sum().item()
    return correct / len(x)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--epochs', type=int, default=6)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--lr', type=float, default=0.1)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--no-channels-last', dest='channels_last', action='store_false',
                        help='train in the default NCHW memory format')
    parser.add_argument('--folded', action='store_true', help='also write resnet-fashion-mnist-folded.onnx')
    parser.add_argument('--out-dir', default=HERE)
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    generator = torch.Generator().manual_seed(args.seed)  # data order and augmentation

    train_images, train_labels = load_split('train')
    test_images, test_labels = load_split('t10k')
    x_train, y_train = torch.from_numpy(to_unit(train_images)), torch.from_numpy(train_labels)
    x_test, y_test = torch.from_numpy(to_unit(test_images)), torch.from_numpy(test_labels)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads; train {tuple(x_train.shape)}, '
          f'test {tuple(x_test.shape)}; normalise mean {MEAN} std {STD}', flush=True)

    model = SmallResNet()
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
    total_steps = args.epochs * steps_per_epoch
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / total_steps)))
    loss_fn = nn.CrossEntropyLoss()

    history = []
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        epoch_start = time.time()
        order = torch.randperm(len(x_train), generator=generator)
        loss_sum, seen = 0.0, 0
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            inputs = normalise(augment(x_train[idx], generator)).contiguous(memory_format=memory_format)
            targets = y_train[idx]
            loss = loss_fn(model(inputs), targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            loss_sum += loss.item() * len(idx)
            seen += len(idx)
        train_seconds = time.time() - epoch_start
        accuracy = evaluate(model, x_test, y_test, memory_format=memory_format)
        history.append({'epoch': epoch, 'train_loss': round(loss_sum / seen, 4), 'test_accuracy': accuracy,
                        'seconds': round(time.time() - epoch_start, 1), 'train_seconds': round(train_seconds, 1)})
        print(f'epoch {epoch}/{args.epochs}: train loss {loss_sum / seen:.4f}, test accuracy {accuracy * 100:.2f} % '
              f'({time.time() - epoch_start:.0f} s, total {time.time() - start:.0f} s)', flush=True)
    total_seconds = time.time() - start
    print(f'training: {args.epochs} epochs in {total_seconds:.0f} s wall time, '
          f'final test accuracy {history[-1]["test_accuracy"] * 100:.2f} %', flush=True)

    model = model.to(memory_format=torch.contiguous_format)
    os.makedirs(args.out_dir, exist_ok=True)
    weights_path = os.path.join(args.out_dir, 'resnet-fashion-mnist.pt')
    torch.save(model.state_dict(), weights_path)
    onnx_path = os.path.join(args.out_dir, 'resnet-fashion-mnist.onnx')
    export_bn_kept(model, onnx_path)
    exports = {'bn_kept': print_description(onnx_path)}
    # PyTorch stores each initializer once: the bias of a block's last BN and of its downsample BN get the same
    # gradient from the residual add, stay bitwise equal and are exported as one initializer + an Identity node.
    if 'BatchNormalization' not in exports['bn_kept']['nodes']:
        raise SystemExit(f'{onnx_path}: no BatchNormalization node; the exporter folded batch norm')
    if args.folded:
        folded_path = os.path.join(args.out_dir, 'resnet-fashion-mnist-folded.onnx')
        export_folded(model, folded_path)
        exports['folded'] = print_description(folded_path)

    log = {
        'model': 'SmallResNet (torchvision BasicBlock, 16/32/64 x 2 blocks)',
        'epochs': args.epochs,
        'seed': args.seed,
        'batch_size': args.batch_size,
        'lr': args.lr,
        'threads': torch.get_num_threads(),
        'channels_last': args.channels_last,
        'omp_wait_policy': os.environ.get('OMP_WAIT_POLICY'),
        'history': history,
        'test_accuracy': [h['test_accuracy'] for h in history],
        'seconds': round(total_seconds, 1),
        'torch': torch.__version__,
        'command': ' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv]),
        'exports': exports,
    }
    for d in exports.values():
        d['path'] = os.path.basename(d['path'])
    log_path = os.path.join(args.out_dir, 'train-log.json')
    with open(log_path, 'w') as f:
        json.dump(log, f, indent=2)
        f.write('\n')
    print(f'wrote {weights_path}, {onnx_path}{" (+ folded)" if args.folded else ""}, {log_path}')


if __name__ == '__main__':
    main()

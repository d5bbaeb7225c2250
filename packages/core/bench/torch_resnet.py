"""PyTorch reference for `pnpm bench`: CIFAR ResNet (same definition as the omniprune zoo) train/infer throughput.

Prints one JSON line: {"depth": D, "batch": B, "threads": T, "train_img_s": ..., "infer_img_s": ..., "params": P,
"rss_base_kb": ..., "train_peak_rss_kb": ..., "peak_rss_kb": ...} (see `measure` for the memory fields).
`measure` and `throughput` are shared with `torch_vit.py`.
Run with Debian's interpreter: /usr/bin/python3 bench/torch_resnet.py --depth 56 --batch 64 --threads 2
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.proj(x) if self.proj is not None else x))


class ResNet(nn.Module):
    def __init__(self, depth, classes=10, channels=3):
        super().__init__()
        n = (depth - 2) // 6
        self.stem = nn.Sequential(nn.Conv2d(channels, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        layers, cin = [], 16
        for stage, width in enumerate([16, 32, 64]):
            for b in range(n):
                layers.append(Block(cin, width, 2 if (stage > 0 and b == 0) else 1))
                cin = width
        self.blocks = nn.Sequential(*layers)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def throughput(fn, batch, warmup, seconds):
    for _ in range(warmup):
        fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n * batch / (time.perf_counter() - start)


def max_rss_kb():
    """Peak resident set size of this process so far (ru_maxrss: KB on Linux; a high-water mark, never decreases)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(model, x, y, threads, seconds):
    """Train-step (SGD, momentum 0.9, Nesterov, weight decay 1e-4) and inference img/s of `model` on the batch
    (x, y), its trainable parameter count, and the process's peak RSS in KB: `train_peak_rss_kb` at the end of the
    training measurement, `peak_rss_kb` at the end (whole process, training phase included: ru_maxrss cannot show
    inference's own peak once training has set a higher one). Callers add `rss_base_kb`, read before building the
    model (interpreter + torch only)."""
    batch = x.shape[0]
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)

    def train_step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    model.train()
    train = throughput(train_step, batch, 2, seconds)
    train_peak = max_rss_kb()
    model.eval()
    with torch.no_grad():
        infer = throughput(lambda: model(x), batch, 2, seconds)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"threads": threads, "train_img_s": train, "infer_img_s": infer, "params": params,
            "train_peak_rss_kb": train_peak, "peak_rss_kb": max_rss_kb()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=56)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--seconds", type=float, default=5.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    base = max_rss_kb()
    model = ResNet(a.depth)
    x = torch.randn(a.batch, 3, a.size, a.size)
    y = torch.randint(0, 10, (a.batch,))
    r = measure(model, x, y, a.threads, a.seconds)
    print(json.dumps({"depth": a.depth, "batch": a.batch, "rss_base_kb": base, **r}))


if __name__ == "__main__":
    main()

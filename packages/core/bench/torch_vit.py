"""PyTorch reference for `pnpm bench`: the zoo's ViT (`packages/core/src/zoo/vit.ts`), same definition, train/infer
throughput.

Same layout as the zoo: `patch_embed` (conv, kernel = stride = patch, bias) -> tokens in row-major patch order ->
learned position embedding (no class token) -> `depth` pre-norm blocks x += attn(ln1(x)); x += fc2(gelu(fc1(ln2(x))))
with separate Q/K/V/output projections (biases) and exact (erf) GELU, LayerNorm eps 1e-6 -> final LayerNorm -> mean
over tokens -> linear logits (the zoo's trailing softmax is left out here, as in `torch_resnet.py`).
Prints one JSON line like `torch_resnet.py` (with "net": "vit" and the configuration instead of "depth").
Run with Debian's interpreter: /usr/bin/python3 bench/torch_vit.py --size 28 --channels 1 --patch 7 --dim 64 --depth 4
"""
import argparse
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_resnet import max_rss_kb, measure

LN_EPSILON = 1e-6


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)
        self.output = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape

        def split(y):  # [b, t, heads*head_dim] -> [b, heads, t, head_dim]
            return y.view(b, t, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1 / math.sqrt(self.head_dim))
        context = torch.matmul(scores.softmax(-1), v)
        return self.output(context.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_dim):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim, eps=LN_EPSILON)
        self.attn = Attention(dim, heads)
        self.ln2 = nn.LayerNorm(dim, eps=LN_EPSILON)
        self.fc1 = nn.Linear(dim, mlp_dim)
        self.fc2 = nn.Linear(mlp_dim, dim)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class ViT(nn.Module):
    def __init__(self, size, channels, classes, patch, dim, depth, heads, mlp_dim):
        super().__init__()
        self.patch_embed = nn.Conv2d(channels, dim, patch, patch)
        self.pos_embed = nn.Parameter(nn.init.trunc_normal_(torch.empty(1, (size // patch) ** 2, dim), std=0.02))
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp_dim) for _ in range(depth)])
        self.final_ln = nn.LayerNorm(dim, eps=LN_EPSILON)
        self.logits = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed  # [b, tokens, dim]
        return self.logits(self.final_ln(self.blocks(x)).mean(1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--patch", type=int, default=7)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--depth", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--mlp-dim", type=int, default=128)
    p.add_argument("--seconds", type=float, default=5.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    base = max_rss_kb()
    model = ViT(a.size, a.channels, a.classes, a.patch, a.dim, a.depth, a.heads, a.mlp_dim)
    x = torch.randn(a.batch, a.channels, a.size, a.size)
    y = torch.randint(0, a.classes, (a.batch,))
    r = measure(model, x, y, a.threads, a.seconds)
    config = {"size": a.size, "channels": a.channels, "patch": a.patch, "dim": a.dim, "depth": a.depth, "heads": a.heads, "mlp_dim": a.mlp_dim}
    print(json.dumps({"net": "vit", **config, "batch": a.batch, "rss_base_kb": base, **r}))


if __name__ == "__main__":
    main()

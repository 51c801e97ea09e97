"""Benchmark ganlab's StyleGAN2 generator: forward+backward images/s and the share of step time
spent in upfirdn2d (FIR up/down-sampling), measured with torch.profiler.

    python scripts/bench_stylegan2.py [--device cpu] [--threads N] [--runs 5] [--unfused]

Prints a markdown table. Timings are the median over --runs steps after one warm-up step.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch.autograd.profiler import record_function
from torch.profiler import ProfilerActivity, profile

from ganlab.nets.stylegan2 import Generator, layers

CONFIGS = [
    # name, generator kwargs, batch
    ("32px tiny (style 64, n_mlp 2, 32 ch)",
     dict(size=32, style_dim=64, n_mlp=2, channels=32), 16),
    ("256px config-f (style 512, n_mlp 8, cm 2)",
     dict(size=256, style_dim=512, n_mlp=8, channel_multiplier=2), 4),
]

_plain_upfirdn2d = layers.upfirdn2d


class _BackwardRange(torch.autograd.Function):
    """Identity whose backward opens (at the op's output) or closes (at its input) a profiler
    range, so the op's backward kernels are attributed to it too."""

    @staticmethod
    def forward(ctx, x, holder, is_output):
        ctx.holder, ctx.is_output = holder, is_output
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        if ctx.is_output:
            ctx.holder.append(record_function("upfirdn2d.backward").__enter__())
        elif ctx.holder:
            ctx.holder.pop().__exit__(None, None, None)
        return grad, None, None


def _traced_upfirdn2d(x, kernel, up=1, down=1, pad=(0, 0)):
    track = x.requires_grad and torch.is_grad_enabled()
    holder: list = []
    if track:
        x = _BackwardRange.apply(x, holder, False)
    with record_function("upfirdn2d"):
        y = _plain_upfirdn2d(x, kernel, up=up, down=down, pad=pad)
    return _BackwardRange.apply(y, holder, True) if track else y


def step_fn(g: Generator, batch: int, device: str):
    z = torch.randn(batch, g.style_dim, device=device)

    def step():
        g.zero_grad(set_to_none=True)
        img, _ = g([z])
        img.square().mean().backward()
        if device == "cuda":
            torch.cuda.synchronize()
    return step


def upfirdn_share(step, device: str) -> float:
    layers.upfirdn2d = _traced_upfirdn2d
    try:
        acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
        with profile(activities=acts) as prof:
            t0 = time.perf_counter()
            step()
            wall = time.perf_counter() - t0
    finally:
        layers.upfirdn2d = _plain_upfirdn2d
    ranges = [e for e in prof.key_averages() if e.key in ("upfirdn2d", "upfirdn2d.backward")]
    if device == "cuda":
        total = sum(e.device_time_total for e in prof.key_averages() if e.key.startswith("aten::"))
        # device time of kernels launched inside the ranges
        spent = sum(e.device_time_total for e in ranges)
        return spent / max(total, 1e-9)
    return sum(e.cpu_time_total for e in ranges) / 1e6 / wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=0, help="0 = torch default")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--unfused", action="store_true",
                    help="modulate activations instead of grouped per-sample weights")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"device={args.device} threads={torch.get_num_threads()} torch={torch.__version__} "
          f"modconv={'unfused' if args.unfused else 'grouped (fused)'}\n")
    print("| config | batch | step ms (median) | img/s | upfirdn2d share |")
    print("|---|---|---|---|---|")
    for name, kw, batch in CONFIGS:
        g = Generator(**kw).to(args.device).train()
        if args.unfused:
            for m in g.modules():
                if hasattr(m, "fused"):
                    m.fused = False
        step = step_fn(g, batch, args.device)
        step()  # warm-up (allocator, mkldnn primitive caches)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        share = upfirdn_share(step, args.device)
        print(f"| {name} | {batch} | {med * 1e3:.0f} | {batch / med:.1f} | {share:.1%} |",
              flush=True)


if __name__ == "__main__":
    main()

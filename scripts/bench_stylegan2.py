"""Benchmark ganlab's StyleGAN2 generator: forward + backward images/s (median of --runs
steps after one warm-up step) and the share of step time spent in upfirdn2d (FIR
up/down-sampling and blur), measured with torch.profiler.

    python scripts/bench_stylegan2.py                                  # CPU: 32 and 256 px, config-f widths
    python scripts/bench_stylegan2.py --threads 1 --runs 3
    python scripts/bench_stylegan2.py --sizes 32 --style-dim 128 --n-mlp 2 --widths 4:64,8:64,16:32,32:16 \
        --unfused --batch 32                                           # the stylegan2-synthfaces32 generator
    python scripts/bench_stylegan2.py --device cuda                     # GPU: 256 and 1024 px, bf16 autocast

Prints the command it ran and a markdown table (channel multiplier, widths, batch, ms/step,
img/s, upfirdn2d share).
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from contextlib import nullcontext

import torch
from torch.autograd.profiler import record_function
from torch.profiler import ProfilerActivity, profile

from ganlab.nets.stylegan2 import Generator, layers
from ganlab.nets.stylegan2.channels import resolve_channels

_plain_upfirdn2d = layers.upfirdn2d
DEFAULT_BATCH = {"cpu": {16: 16, 32: 16, 64: 8, 128: 4, 256: 4}, "cuda": {256: 32, 512: 16, 1024: 8}}


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


def step_fn(g: Generator, batch: int, device: str, amp: str):
    z = torch.randn(batch, g.style_dim, device=device)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(amp)
    autocast = (lambda: torch.autocast(device_type=device, dtype=dtype)) if dtype else nullcontext

    def step():
        g.zero_grad(set_to_none=True)
        with autocast():
            img, _ = g([z])
            loss = img.float().square().mean()
        loss.backward()
        if device == "cuda":
            torch.cuda.synchronize()
    return step


def upfirdn_share(step, device: str) -> float:
    """Time inside upfirdn2d (forward and backward) over the whole step: CPU time over wall
    time on a CPU, kernel time over all kernel time on a GPU."""
    layers.upfirdn2d = _traced_upfirdn2d
    try:
        acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
        with profile(activities=acts) as prof:
            t0 = time.perf_counter()
            step()
            wall = time.perf_counter() - t0
    finally:
        layers.upfirdn2d = _plain_upfirdn2d
    events = prof.key_averages()
    ranges = [e for e in events if e.key in ("upfirdn2d", "upfirdn2d.backward")]
    if device == "cuda":
        total = sum(e.self_device_time_total for e in events)  # every kernel counted once
        return sum(e.device_time_total for e in ranges) / max(total, 1e-9)
    return sum(e.cpu_time_total for e in ranges) / 1e6 / wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--sizes", type=int, nargs="+", help="default: 32 256 on cpu, 256 1024 on cuda")
    ap.add_argument("--batch", type=int, help="default: by size and device (16 at 32 px, 4 at 256 px on cpu)")
    ap.add_argument("--channel-multiplier", type=int, default=2, help="rosinality's; 2 = config-f")
    ap.add_argument("--channels", type=int, help="cap every resolution's width at this (small CPU models)")
    ap.add_argument("--widths", help="explicit widths per resolution, e.g. 4:128,8:128,16:64,32:32 "
                    "(configs/generator/stylegan2_tiny.yaml)")
    ap.add_argument("--style-dim", type=int, default=512)
    ap.add_argument("--n-mlp", type=int, default=8)
    ap.add_argument("--amp", choices=["none", "bf16", "fp16"], help="autocast dtype; default bf16 on cuda")
    ap.add_argument("--threads", type=int, default=0, help="0 = torch default")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--unfused", action="store_true",
                    help="modulate activations instead of grouped per-sample weights")
    args = ap.parse_args()
    sizes = args.sizes or ([256, 1024] if args.device == "cuda" else [32, 256])
    amp = args.amp or ("bf16" if args.device == "cuda" else "none")
    channels = {int(r): int(c) for r, c in (kv.split(":") for kv in args.widths.split(","))} if args.widths \
        else args.channels
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print("$ python scripts/bench_stylegan2.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]))
    widths = f"channel_multiplier={args.channel_multiplier}" + (f" channels={channels}" if channels else "")
    print(f"device={args.device} threads={torch.get_num_threads()} torch={torch.__version__} amp={amp} "
          f"style_dim={args.style_dim} n_mlp={args.n_mlp} {widths} "
          f"modconv={'unfused' if args.unfused else 'grouped (fused)'}; generator forward + backward\n")
    print("| size | channel multiplier | widths (res: ch) | batch | step ms (median) | img/s | upfirdn2d share |")
    print("|---|---|---|---|---|---|---|")
    for size in sizes:
        g = Generator(size, style_dim=args.style_dim, n_mlp=args.n_mlp, channel_multiplier=args.channel_multiplier,
                      channels=channels, fused_modconv=not args.unfused).to(args.device).train()
        batch = args.batch or DEFAULT_BATCH[args.device].get(size, 4)
        step = step_fn(g, batch, args.device, amp)
        step()  # warm-up (allocator, mkldnn / cuDNN algorithm caches)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        share = upfirdn_share(step, args.device)
        chans = {r: c for r, c in resolve_channels(channels, args.channel_multiplier, size).items() if r <= size}
        table = " ".join(f"{r}:{c}" for r, c in sorted(chans.items()))
        print(f"| {size} | {args.channel_multiplier} | {table} | {batch} | "
              f"{med * 1e3:.0f} | {batch / med:.2f} | {share:.1%} |", flush=True)


if __name__ == "__main__":
    main()

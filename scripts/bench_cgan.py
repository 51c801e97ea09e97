"""Training throughput of IcGAN's conditional DCGAN (one D step + one G step per batch).

    python scripts/bench_cgan.py [--size 32] [--batch 64] [--width 32] [--repeats 5]

Prints img/s (median of repeats), the FLOPs of one training step (counted by
torch.utils.flop_counter), and the share of this machine's measured fp32 matmul peak."""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from ganlab.nets.dcgan import DCGANDiscriminator, DCGANGenerator


def matmul_peak(n: int = 2048, repeats: int = 7) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t)
    return 2 * n**3 / statistics.median(times)


def make_step(size: int, channels: int, y_dim: int, width: int, batch: int):
    g = DCGANGenerator(z_dim=100, y_dim=y_dim, image_size=size, channels=channels, width=width)
    d = DCGANDiscriminator(y_dim=y_dim, image_size=size, channels=channels, width=width)
    opt_g = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    x = torch.rand(batch, channels, size, size) * 2 - 1
    y = F.one_hot(torch.randint(y_dim, (batch,)), y_dim).float()

    def step():
        fake = g(torch.randn(batch, 100), y)
        loss_d = F.softplus(-d(x, y)).mean() + F.softplus(d(fake.detach(), y)).mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = F.softplus(-d(fake, y)).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()

    return step


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    step = make_step(args.size, args.channels, args.classes, args.width, args.batch)
    for _ in range(3):
        step()
    counter = FlopCounterMode(display=False)
    with counter:
        step()
    flops = counter.get_total_flops()
    rates = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        for _ in range(args.steps):
            step()
        rates.append(args.steps * args.batch / (time.perf_counter() - t))
    img_s = statistics.median(rates)
    peak = matmul_peak()
    achieved = flops / args.batch * img_s
    print(f"threads={torch.get_num_threads()} size={args.size} width={args.width} batch={args.batch}")
    print("| img/s (median) | runs | GFLOP/step | achieved GFLOP/s | matmul peak GFLOP/s | share |")
    print("|---|---|---|---|---|---|")
    print(f"| {img_s:.0f} | {', '.join(f'{r:.0f}' for r in rates)} | {flops / 1e9:.2f} | {achieved / 1e9:.1f} | "
          f"{peak / 1e9:.1f} | {achieved / peak:.0%} |")


if __name__ == "__main__":
    main()

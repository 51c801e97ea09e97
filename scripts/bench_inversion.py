"""Inversion speed and quality: the trained encoder of a recipe against optimization-based
inversion, on the target-domain (LQ) test images, scored against the clean images.

    python scripts/bench_inversion.py [overrides...]     # default: +experiment=uda_inversion
    python scripts/bench_inversion.py +experiment=uda_inversion --images 256 --opt-images 16 --steps 200

The recipe's stages come from the cache (trained first if absent). Prints the command,
the median images/s over --repeats runs for each, their PSNR, and the speed-up."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from hydra.utils import instantiate

from ganlab.metrics.reconstruction import psnr
from ganlab.metrics.throughput import stopwatch
from ganlab.nets.mode import evaluating
from ganlab.runner.run import trained_stages


def timed(inverter, generator, images, repeats: int) -> tuple[float, torch.Tensor]:
    seconds = []
    for _ in range(repeats):
        elapsed = []
        with evaluating(inverter), stopwatch(images.device, elapsed):
            out = inverter(images, generator).image
        seconds.append(elapsed[0])
    return len(images) / statistics.median(seconds), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("overrides", nargs="*", default=["+experiment=uda_inversion"])
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--opt-images", type=int, default=16)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print("$ python scripts/bench_inversion.py " + " ".join(sys.argv[1:] if argv is None else argv))
    out = Path("outputs") / "bench" / time.strftime("%Y%m%d_%H%M%S")
    cfg, datamodule, modules = trained_stages(args.overrides, out)
    module = modules[cfg.method.evaluate.encoder_stage]
    generator = module.generator.eval()
    batch = next(datamodule.pairs("test", args.images, batch_size=args.images))
    optimizer = instantiate(cfg.method.evaluate.optimization)(generator=generator, steps=args.steps)
    with torch.no_grad():
        encoder_speed, encoded = timed(module.inverter, generator, batch.target, args.repeats)
    few = batch.target[: args.opt_images]
    opt_speed, optimized = timed(optimizer, generator, few, max(1, args.repeats // 2))
    print(f"encoder ({type(module.inverter).__name__}): {encoder_speed:.1f} img/s, "
          f"PSNR trg (mean per image) {float(psnr(encoded, batch.source)):.2f} dB on {len(encoded)} images "
          f"(median of {args.repeats})")
    print(f"optimization ({args.steps} steps): {opt_speed:.3f} img/s, "
          f"PSNR trg {float(psnr(optimized, batch.source[: len(few)])):.2f} dB on {len(few)} images")
    print(f"encoder PSNR on those {len(few)}: {float(psnr(encoded[: len(few)], batch.source[: len(few)])):.2f} dB")
    print(f"speed-up: {encoder_speed / opt_speed:.0f}x  (threads: {torch.get_num_threads()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

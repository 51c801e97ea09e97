"""How far a trained encoder has learnt the regression of W, and where its codes spread: for
a finished inversion run, the spread ratio (ganlab.metrics.code_spread) of its codes of the
test images (source and degraded target) and of generated images G(w), clean and degraded
as the target domain is, and R^2 of the generated images' codes against their true w
(1 - E|E(G(w)) - w|^2 / E|w - mean w|^2). A regressor of E[w | image] has a spread ratio
near its R^2 on every input; codes spread more on the test images than on generated ones
spread in ways the images do not determine.

    python scripts/reproduce/run_code_regression.py outputs/train/runs/<run> [--stage base] [--images 256]
"""

from __future__ import annotations

import argparse

import torch

from ganlab.losses.synthetic_codes import SyntheticCodeLoss
from ganlab.metrics.code_spread import code_r_squared, code_spread, sampled_codes
from ganlab.runner.run_folder import load_datamodule, load_stage


@torch.no_grad()
def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="a finished inversion run's folder")
    parser.add_argument("--stage", default=None, help="the trained stage (default: the run's last)")
    parser.add_argument("--images", type=int, default=256)
    args = parser.parse_args(argv)
    module = load_stage(args.run, args.stage)
    generator, inverter = module.generator.eval(), module.inverter.eval()
    data = load_datamodule(args.run)
    sampled = sampled_codes(generator)
    codes = {"test src": [], "test trg": []}
    for batch in data.pairs("test", args.images, 64):
        codes["test src"].append(inverter.encode(batch.source, generator))
        codes["test trg"].append(inverter.encode(batch.target, generator))
    codes = {name: torch.cat(c) for name, c in codes.items()}
    w, images = SyntheticCodeLoss(batch_size=args.images, seed=99).sample(generator, inverter.image_size)
    codes["generated clean"] = inverter.encode(images, generator)
    codes["generated degraded"] = inverter.encode(data.degrade(images, torch.arange(len(images))), generator)
    out = {}
    for name, c in codes.items():
        out[f"spread ratio, {name}"] = code_spread(c, sampled, generator.w_avg)["spread_ratio"]
        if name.startswith("generated"):
            out[f"R^2, {name}"] = code_r_squared(c, w)
    for key, value in out.items():
        print(f"{key}: {value:.3f}")
    return out


if __name__ == "__main__":
    main()

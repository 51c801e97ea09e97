"""Where a zoo SCGAN's self-labels put real images and sampled codes:

    python scripts/reproduce/self_label_coverage.py [--name scgan-synthfaces32] [--samples 10000]

Per attribute, the share labelled high (its high mode weighs more than 0.5) and the share
past the top of the range, for the training images' codes (inverted by the SCGAN's own W
encoder, as the fine-tuning labelled them) and for codes sampled from the fine-tuned
mapping network. `generator.name=<the SCGAN>` draws every code at these labels, so the
sampled share is how often that generator shows each mode."""

from __future__ import annotations

import argparse

import torch
from hydra.utils import instantiate

from ganlab import zoo
from ganlab.compose_config import compose
from ganlab.metrics.tables import markdown_table
from ganlab.zoo_catalog import recipe_overrides


def coverage(module, codes: torch.Tensor) -> tuple[list[float], list[float]]:
    labels, positions = module.labels(codes), module.labels.positions(codes)
    return (labels[:, :, 2] > 0.5).float().mean(0).tolist(), (positions > 1).float().mean(0).tolist()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="scgan-synthfaces32")
    parser.add_argument("--samples", type=int, default=10000)
    args = parser.parse_args(argv)
    module = zoo.load(args.name).eval()
    datamodule = instantiate(compose(recipe_overrides(args.name)).data)  # the data the SCGAN labelled
    datamodule.setup()
    generator = module.g_ema.generator
    with torch.no_grad():
        real = module.invert(datamodule.split("train"))
        sampled = generator.style(torch.randn(args.samples, generator.style_dim,
                                              generator=torch.Generator().manual_seed(0)))
    rows = []
    for source, codes in (("training images", real), ("sampled codes", sampled)):
        high, beyond = coverage(module, codes)
        rows += [[source, a, round(h, 4), round(b, 4)] for a, h, b in zip(module.attributes, high, beyond)]
    print(markdown_table(["codes", "attribute", "share labelled high", "share past the range's top"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The quality comparison on synthfaces 32 px: FID (domain features) of the DCGANs of
the framework, the IcGAN conditional one (zoo cgan-synthfaces32, labels drawn from its
training-label prior) and the unconditional one (zoo dcgan-synthfaces32, same widths and
schedule, no labels), and of the StyleGAN2 generator (zoo stylegan2-synthfaces32), next to
the floor: the FID between two disjoint halves of the real data. Same number of images
everywhere.

    GANLAB_CACHE=/path/to/cache python scripts/reproduce/fid_report.py [--num-images 5000] [--no-train]
        [--features features-synthfaces32] [--out outputs/fid_report] [--zoo-overrides debug=fdr]

Reference: the first N images of the train split (statistics cached); floor: train images
N..2N-1 against it. Zoo models missing from the cache are trained by the zoo, or, with
--no-train, listed as pending. Writes fid_report.md and fid_report.csv into --out.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import torch

from ganlab import zoo
from ganlab.data.synthfaces import SynthFacesDataModule
from ganlab.metrics.fid import FrechetDistance
from ganlab.metrics.tables import markdown_table, write_csv
from ganlab.pretrained import fid_features

MODELS = [("DCGAN (IcGAN cGAN, label prior)", "cgan-synthfaces32"),
          ("DCGAN (unconditional)", "dcgan-synthfaces32"),
          ("StyleGAN2 (g_ema, truncation 1)", "stylegan2-synthfaces32")]


def measure(n: int, features: str, cache_dir: str, seed: int = 0, zoo_overrides: list[str] | None = None,
            no_train: bool = False) -> tuple:
    """(feature net, rows): the floor's and each model's (label, zoo name, FIDResult, or None
    when --no-train finds it uncached), n generated images against the first n train images."""
    zoo_overrides = list(zoo_overrides or [])
    datamodule = SynthFacesDataModule(image_size=32)  # the data the zoo models were trained on
    real = datamodule.split("train")
    if 2 * n > len(real):
        raise SystemExit(f"--num-images {n}: the train split has {len(real)} images, the floor needs {2 * n}")
    features = fid_features(features, cache_dir=cache_dir, overrides=zoo_overrides)
    fid = FrechetDistance(features=features, split="train", num_images=n, seed=seed, cache_dir=cache_dir)

    rows = [("floor: real train[N:2N] vs train[:N]", "-", fid(real[torch.arange(n, 2 * n)][0], datamodule))]
    for label, name in MODELS:
        if no_train and not zoo.is_cached(name, cache_dir, zoo_overrides):
            rows.append((label, name, None))
            print(f"{label}: pending ({name} is not in {cache_dir}/zoo)", flush=True)
            continue
        model = zoo.load(name, cache_dir=cache_dir, overrides=zoo_overrides)
        rows.append((label, name, fid(model.sample, datamodule)))
        print(f"{label}: {rows[-1][2].describe()}", flush=True)
    return features, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--num-images", type=int, default=5000)
    ap.add_argument("--features", default="features-synthfaces32")
    ap.add_argument("--cache-dir", default=str(zoo.default_cache_dir()))
    ap.add_argument("--out", default="outputs/fid_report")
    ap.add_argument("--no-train", action="store_true", help="report zoo models not in the cache as pending")
    ap.add_argument("--seed", type=int, default=0, help="sampling seed of the generators")
    ap.add_argument("--zoo-overrides", nargs="*", default=[], help="e.g. debug=fdr: a smoke run with 1-step models")
    args = ap.parse_args()
    command = "python scripts/reproduce/fid_report.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    print(f"$ GANLAB_CACHE={args.cache_dir} {command}", flush=True)

    n = args.num_images
    features, rows = measure(n, args.features, args.cache_dir, args.seed, args.zoo_overrides, args.no_train)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = [[label, name, "pending (not cached)", "", ""] if r is None else
             [label, name, f"{r.fid:.3f}", f"{r.precision:.3f}", f"{r.recall:.3f}"] for label, name, r in rows]
    write_csv(out / "fid_report.csv", ["model", "zoo", "fid", "precision", "recall", "num_images", "features"],
              [[label, name, "", "", "", n, features.describe()] if r is None else
               [label, name, f"{r.fid:.4f}", f"{r.precision:.4f}", f"{r.recall:.4f}", r.num_fake, r.features]
               for label, name, r in rows])
    lines = [f"# FID on synthfaces 32 px ({n} vs {n} images)", "",
             f"Command: `GANLAB_CACHE={args.cache_dir} {command}`", "",
             f"Features: {features.describe()}. Reference: the first {n} images of the train split.", "",
             markdown_table(["model", "zoo", "FID", "precision", "recall"], table)]
    (out / "fid_report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[2:]))
    print(f"\nwritten: {out / 'fid_report.md'}, {out / 'fid_report.csv'}")


if __name__ == "__main__":
    main()

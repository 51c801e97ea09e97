"""Score finished runs again with the current evaluation (e.g. after PSNR became the mean of
per-image PSNR and SSIM the valid-window one), without training:

    python scripts/rescore_run.py outputs/train/multiruns/<folder>/0 [more run folders]

For each run folder (ganlab.runner.rescore): the run's own overrides are composed again, every stage
is loaded from the stage cache the run wrote (paths.cache_dir of its config.yaml; a stage
missing there is an error: nothing is trained), and the recipe's evaluation runs into
<run>/rescore/. Its metrics then replace the old test/ ones in <run>/metrics.json (the training
metrics stay; the old file is kept as metrics_before_rescore.json) and its tables are copied
beside them, where scripts/collect.py reads them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganlab.runner.rescore import rescore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=Path, nargs="+")
    args = parser.parse_args(argv)
    for folder in args.folders:
        print(f"$ {folder}: the run's evaluation on its cached stages", flush=True)
        try:
            metrics = rescore(folder.resolve())
        except (FileNotFoundError, ValueError) as e:
            print(f"{folder}: {e}", file=sys.stderr)
            return 2
        shown = {k: round(v, 4) for k, v in metrics.items() if k.split("/")[-1].startswith(("psnr", "ssim"))}
        print(f"{folder}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

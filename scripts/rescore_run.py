"""Score finished runs again with the current evaluation (e.g. after PSNR became the mean of
per-image PSNR and SSIM the valid-window one), without training:

    python scripts/rescore_run.py outputs/uda_ablation/<time>/UDA-inversion_seed0 [more run folders]

For each run folder: `python eval.py <the run's overrides> ckpt_path=<run>/checkpoints/<last
stage>/last.ckpt` into <run>/rescore/ (the earlier stages come from the stage cache, as for
eval.py), then the evaluation's metrics replace the old ones in <run>/metrics.json (the
training metrics stay; the old file is kept as metrics_before_rescore.json) and its tables
are copied beside them. scripts/uda_ablation.py --collect then reads the new figures."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def run_overrides(folder: Path) -> list[str]:
    path = folder / ".hydra" / "overrides.yaml"
    if not path.is_file():
        raise SystemExit(f"{folder} is not a finished run folder: no {path}")
    return [o for o in yaml.safe_load(path.read_text()) or [] if not o.startswith(("ckpt_path=", "hydra."))]


def last_checkpoint(folder: Path) -> Path:
    config = folder / "config.yaml"
    if not config.is_file():
        raise SystemExit(f"{folder} has no config.yaml: the run did not finish")
    last_stage = list(yaml.safe_load(config.read_text())["method"]["stages"])[-1]
    checkpoint = folder / "checkpoints" / last_stage / "last.ckpt"
    if not checkpoint.is_file():
        raise SystemExit(f"{folder}: no checkpoint of the last stage at {checkpoint}")
    return checkpoint


def rescore(folder: Path) -> dict[str, float]:
    out = folder / "rescore"
    command = [sys.executable, "eval.py", *run_overrides(folder), f"ckpt_path={last_checkpoint(folder)}",
               f"hydra.run.dir={out}", "callbacks.progress_bar=null"]
    print("$", " ".join(command[1:]), flush=True)
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    scores = json.loads((out / "metrics.json").read_text())
    metrics_file = folder / "metrics.json"
    old = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    if old and not (folder / "metrics_before_rescore.json").exists():
        shutil.copy(metrics_file, folder / "metrics_before_rescore.json")
    evaluated = [k for k in old if k.startswith("test/")]  # the evaluation's keys: all of them are rewritten
    metrics = {**{k: v for k, v in old.items() if k not in evaluated}, **scores}
    metrics_file.write_text(json.dumps(metrics, indent=2, sort_keys=True))
    for table in ("tables.md", "table_inversion.csv", "table_editing.csv"):
        if (out / table).is_file():
            shutil.copy(out / table, folder / table)
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=Path, nargs="+")
    args = parser.parse_args(argv)
    for folder in args.folders:
        metrics = rescore(folder.resolve())
        shown = {k: round(v, 4) for k, v in metrics.items() if k.split("/")[-1].startswith(("psnr", "ssim"))}
        print(f"{folder}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

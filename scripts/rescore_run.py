"""Score finished runs again with the current evaluation (e.g. after PSNR became the mean of
per-image PSNR and SSIM the valid-window one), without training:

    python scripts/rescore_run.py outputs/uda_ablation/<time>/UDA-inversion_seed0 [more run folders]

For each run folder: the run's own overrides are composed again, every stage is loaded from
the stage cache the run wrote (paths.cache_dir of its config.yaml; a stage missing there is an
error: nothing is trained), and the recipe's evaluation runs into <run>/rescore/. Its metrics
then replace the old test/ ones in <run>/metrics.json (the training metrics stay; the old file
is kept as metrics_before_rescore.json) and its tables are copied beside them;
scripts/uda_ablation.py --collect reads the new figures. The cache, not checkpoints/<stage>/
last.ckpt, holds a stage's final weights: with a monitored metric Lightning writes last.ckpt
only when it writes a best checkpoint, so it can be epochs older."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GANLAB_ROOT", str(ROOT))


def run_overrides(folder: Path) -> list[str]:
    path = folder / ".hydra" / "overrides.yaml"
    if not path.is_file():
        raise SystemExit(f"{folder} is not a finished run folder: no {path}")
    return [o for o in yaml.safe_load(path.read_text()) or [] if not o.startswith(("ckpt_path=", "hydra."))]


def run_cache_dir(folder: Path) -> str:
    config = folder / "config.yaml"
    if not config.is_file():
        raise SystemExit(f"{folder} has no config.yaml: the run did not finish")
    return yaml.safe_load(config.read_text())["paths"]["cache_dir"]


def evaluate_from_cache(overrides: list[str], cache_dir: str, out: Path) -> dict[str, float]:
    """The recipe's evaluation on stages loaded from the cache, as train.py runs it after cache hits."""
    from hydra import compose, initialize_config_dir

    from ganlab.runner.run import _evaluate, prepare, write_outputs
    from ganlab.runner.stages import build_stage, run_stages

    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        cfg = compose("train", overrides=[*overrides, f"paths.output_dir={out}", f"paths.cache_dir={cache_dir}",
                                          "logger=none"])
    cfg, datamodule = prepare(cfg)
    modules, recipes, keys = {}, {}, {}
    for name in cfg.method.stages:  # every stage must be cached: nothing trains here
        modules[name], recipes[name], cached = build_stage(cfg, name, modules, recipes, keys)
        if not cached.is_file():
            raise SystemExit(f"stage {name!r} of this run is not in the cache ({cached}): it cannot be scored "
                             f"without training it again (python train.py {' '.join(overrides)})")
    modules, _, _ = run_stages(cfg, datamodule)
    metrics = _evaluate(cfg, datamodule, modules)
    write_outputs(cfg, metrics)
    return metrics


def rescore(folder: Path) -> dict[str, float]:
    out = folder / "rescore"
    overrides = run_overrides(folder)
    print(f"$ {folder}: the evaluation of {' '.join(overrides)} on its cached stages", flush=True)
    scores = evaluate_from_cache(overrides, run_cache_dir(folder), out)
    metrics_file = folder / "metrics.json"
    old = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    if old and not (folder / "metrics_before_rescore.json").exists():
        shutil.copy(metrics_file, folder / "metrics_before_rescore.json")
    # the evaluation's keys are all rewritten (one the new evaluation no longer has must not survive)
    metrics = {**{k: v for k, v in old.items() if not k.startswith("test/")}, **scores}
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

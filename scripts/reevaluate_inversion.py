"""Re-run a finished inversion run's evaluation with this checkout's evaluation code (e.g.
for metrics added since it ran), from its run folder alone:

    python scripts/reevaluate_inversion.py outputs/train/runs/<date>_<time> [--out DIR] [--no-optimization] \
        [--set edit_strength=3 ...]

The trained stage comes from the run's checkpoint or the stage cache it used
(ganlab.runner.run_folder.load_stage); set GANLAB_CACHE as the run had it. Writes metrics.json
and tables.md to --out (default: <run>/reevaluated) and prints the tables."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from hydra.utils import instantiate
from omegaconf import OmegaConf

from ganlab.runner.run_folder import load_config, load_datamodule, load_stage


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="the run folder (holds config.yaml)")
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: <run>/reevaluated)")
    parser.add_argument("--no-optimization", action="store_true", help="skip the optimization and hybrid rows")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                        help="change the evaluation's settings (method.evaluate), e.g. edit_strength=3")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cfg = load_config(args.run)
    if not cfg.method.get("evaluate"):
        raise SystemExit(f"{args.run}: the recipe has no evaluation (method.evaluate)")
    cfg = OmegaConf.merge(cfg, OmegaConf.from_dotlist([f"method.evaluate.{setting}" for setting in args.set]))
    evaluate = cfg.method.evaluate
    if args.no_optimization:
        evaluate.optimization = evaluate.hybrid_refiner = None
    stage = load_stage(args.run, evaluate.get("encoder_stage"))
    out = args.out or args.run / "reevaluated"
    out.mkdir(parents=True, exist_ok=True)
    metrics = instantiate(evaluate)(stages={evaluate.get("encoder_stage", "encoder"): stage},
                                    datamodule=load_datamodule(args.run), out_dir=out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True))
    print((out / "tables.md").read_text())
    return metrics


if __name__ == "__main__":
    main()

"""UDA-inversion's ablation (Table III) and its comparison with the supervised baselines,
over several seeds, as mean +- std:

    python scripts/uda_ablation.py                       # seeds 0 1 2: with / without the discrepancy
    python scripts/uda_ablation.py --baselines           # + pSp / e4e / HFGI retrained with paired data
    python scripts/uda_ablation.py --seeds 0 --extra +method.stages.encoder.trainer.limit_train_batches=250
    python scripts/uda_ablation.py --methods psp e4e hfgi --seeds 0 --out DIR   # a share of it, e.g. in parallel
    python scripts/uda_ablation.py --baselines --collect --out DIR              # the table of what DIR holds

Each configuration runs `python train.py +experiment=... seed=S` in its own folder under
--out (default outputs/uda_ablation/<time>). A folder that already holds metrics.json is read,
not re-run (--rerun to run it again), so an interrupted sweep picks up where it stopped; a
finished stage is also reused from the cache, so a re-run only evaluates. A folder scored
before the current PSNR / SSIM conventions is refused: scripts/rescore_run.py scores it
again from its checkpoint. Writes ablation.md / ablation.csv there and prints the table."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ganlab.metrics.reconstruction import PSNR_CONVENTION, SSIM_CONVENTION  # noqa: E402
from ganlab.metrics.tables import markdown_table, write_csv  # noqa: E402

# key: (name in the table, overrides)
CONFIGS = {
    "uda": ("UDA-inversion", ["+experiment=uda_inversion"]),
    "uda_nodisc": ("UDA-inversion w/o discrepancy", ["+experiment=uda_inversion", "loss.discrepancy.weight=0"]),
}
BASELINES = {
    "psp": ("pSp (supervised)", ["+experiment=psp_supervised"]),
    "e4e": ("e4e (supervised)", ["+experiment=e4e_supervised"]),
    "hfgi": ("HFGI (supervised)", ["+experiment=hfgi_supervised"]),
}
COLUMNS = [("PSNR trg", "test/psnr_trg"), ("SSIM trg", "test/ssim_trg"), ("FID trg", "test/fid_trg"),
           ("MSE trg", "test/mse_trg"), ("PSNR src", "test/psnr_src"), ("PSNR trg pooled", "test/psnr_pooled_trg"),
           ("edit FID", "test/edit_fid"), ("edit IDs", "test/edit_id")]


def run_folder(out: Path, name: str, seed: int) -> Path:
    """The run's folder; Hydra's override grammar rejects '(' or ' ' in hydra.run.dir."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name.replace("/", "")).strip("_")
    return out / f"{slug}_seed{seed}"


def finished(folder: Path) -> dict[str, float] | None:
    """A run folder's metrics, or None if the run did not finish."""
    path = folder / "metrics.json"
    if not path.exists():
        return None
    metrics = json.loads(path.read_text())
    if "test/psnr_trg" in metrics and "test/psnr_pooled_trg" not in metrics:
        # scored before PSNR became the mean of per-image PSNR and SSIM the valid-window one
        raise SystemExit(f"{path} holds PSNR / SSIM in the old conventions (no test/psnr_pooled_trg): score the run "
                         f"again with `python scripts/rescore_run.py {folder}` (no training), or pass --rerun")
    return metrics


def run(name: str, overrides: list[str], seed: int, out: Path, extra: list[str], rerun: bool) -> dict[str, float]:
    folder = run_folder(out, name, seed)
    if not rerun and (metrics := finished(folder)) is not None:
        print(f"$ {name}, seed {seed}: read from {folder}", flush=True)
        return metrics
    command = [sys.executable, "train.py", *overrides, f"seed={seed}", *extra, f"hydra.run.dir={folder}",
               "callbacks.progress_bar=null"]
    print("$", " ".join(command[1:]), flush=True)
    start = time.time()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"  done in {time.time() - start:.0f} s", flush=True)
    return finished(folder)


def mean_std(values: list[float]) -> str:
    if not values:
        return ""
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {spread:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--baselines", action="store_true", help="also train the supervised baselines")
    parser.add_argument("--methods", nargs="+", choices=[*CONFIGS, *BASELINES], help="these configurations only")
    parser.add_argument("--collect", action="store_true", help="run nothing: tabulate the finished runs in --out")
    parser.add_argument("--rerun", action="store_true", help="run again even where metrics.json exists")
    parser.add_argument("--extra", nargs="*", default=[], help="overrides added to every run")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "uda_ablation" / time.strftime("%Y%m%d_%H%M%S"))
    args = parser.parse_args(argv)
    available = {**CONFIGS, **BASELINES}
    methods = args.methods or [*CONFIGS, *(BASELINES if args.baselines else {})]
    results = {}
    for method in methods:
        name, overrides = available[method]
        if args.collect:
            runs = [finished(run_folder(args.out, name, seed)) for seed in args.seeds]
            results[name] = [m for m in runs if m is not None]
        else:
            results[name] = [run(name, overrides, seed, args.out, args.extra, args.rerun) for seed in args.seeds]
    headers = ["Method", *(title for title, _ in COLUMNS), "seeds"]
    rows = [[name, *(mean_std([m[key] for m in runs if key in m]) for _, key in COLUMNS), len(runs)]
            for name, runs in results.items()]
    text = (f"## Table III: ablation over seeds {args.seeds} (mean ± std; trg = LQ input scored against the "
            f"clean image)\n\n{PSNR_CONVENTION}. {SSIM_CONVENTION}.\n\n{markdown_table(headers, rows)}\n")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ablation.md").write_text(text)
    write_csv(args.out / "ablation.csv", headers, rows)
    print(f"\n{text}\nwritten to {args.out}/ablation.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

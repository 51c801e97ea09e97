"""One table of every run's metrics under a folder (a multirun, a sweep, outputs/), and
<folder>/report.html: the runs, mean ± std per group of runs that differ only in the seed,
the best run, every run's grids side by side and the failed runs:

    python scripts/collect.py outputs/train/multiruns/<folder> [--metrics test/psnr,test/ey_acc] [--csv out.csv]
                              [--best test/psnr --mode max]

Rows are runs (their command-line overrides), columns the chosen metrics; by default the
headline test metrics (no per-class/attribute breakdown). Runs that did not finish (no
metrics.json) are listed after the table with the error their log ends on."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's ganlab, not another installed one

from ganlab.metrics.headline import headline  # noqa: E402
from ganlab.reports import matrix  # noqa: E402
from ganlab.reports.sweep_page import find_runs, last_error, write_sweep_report  # noqa: E402


def table(runs: list[dict], metrics: list[str]) -> str:
    head = ["run", "overrides", *metrics]
    rows = [[r["run"], " ".join(r["overrides"]),
             *(f"{r['metrics'][m]:.4f}" if m in r["metrics"] else "" for m in metrics)] for r in runs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--metrics", help="comma-separated metric names (default: headline test metrics)")
    parser.add_argument("--csv", type=Path, help="also write the table as CSV")
    parser.add_argument("--best", help="the metric that picks the best run (default: the runs' optimized_metric, "
                                       "else the first column)")
    parser.add_argument("--mode", choices=("min", "max"),
                        help="min or max of --best (default: min for FID/MSE/LPIPS/loss/gap/error, else max)")
    parser.add_argument("--wandb-matrix", metavar="PROJECT/GROUP",
                        help="also log the invert_edit matrix as one table in that W&B group")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"no such folder: {args.folder}", file=sys.stderr)
        return 2
    found = find_runs(args.folder)
    runs = [r for r in found if r["metrics"] is not None]
    failed = [r for r in found if r["metrics"] is None]
    if not found:
        print(f"no runs under {args.folder}", file=sys.stderr)
        return 1
    names = args.metrics.split(",") if args.metrics else headline(set().union(*(r["metrics"] for r in runs)))
    if runs:
        print(table(runs, names))
    section = matrix.report(runs, args.folder, args.wandb_matrix)
    if section:
        print("\n" + section)
    if failed:
        print(f"\nfailed runs ({len(failed)}, no metrics.json):\n")
        print("\n".join(f"- {r['run']} ({' '.join(r['overrides'])}): {last_error(r['dir'])}" for r in failed))
    if args.csv:
        with args.csv.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["run", "overrides", *names])
            writer.writerows([r["run"], " ".join(r["overrides"]), *(r["metrics"].get(m, "") for m in names)]
                             for r in runs)
    report = write_sweep_report(args.folder, names, args.best, args.mode)
    print(f"\nreport: {report.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One table of every run's metrics under a folder (a multirun, a sweep, outputs/):

    python scripts/collect.py outputs/train/multiruns/<folder> [--metrics test/psnr,test/ey_acc] [--csv out.csv]

Rows are runs (their command-line overrides), columns the chosen metrics; by default the
headline test metrics (no per-class/attribute breakdown). Runs that did not finish (no
metrics.json) are listed after the table with the error their log ends on."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import yaml

from ganlab.metrics.headline import headline


def find_runs(folder: Path) -> list[dict]:
    runs = []
    for metrics_file in sorted(folder.rglob("metrics.json")):
        run_dir = metrics_file.parent
        overrides_file = run_dir / ".hydra" / "overrides.yaml"
        overrides = yaml.safe_load(overrides_file.read_text()) if overrides_file.is_file() else []
        runs.append({"run": str(run_dir.relative_to(folder)) or ".", "overrides": " ".join(overrides),
                     "metrics": json.loads(metrics_file.read_text())})
    return runs


def failed_runs(folder: Path) -> list[dict]:
    """Run folders (they hold .hydra/) without metrics.json, with their log's last error line."""
    failed = []
    for hydra_dir in sorted(folder.rglob(".hydra")):
        run_dir = hydra_dir.parent
        if (run_dir / "metrics.json").is_file():
            continue
        errors = [line for log in run_dir.glob("*.log") for line in log.read_text(errors="replace").splitlines()
                  if "[ERROR]" in line]
        overrides_file = hydra_dir / "overrides.yaml"
        overrides = yaml.safe_load(overrides_file.read_text()) if overrides_file.is_file() else []
        failed.append({"run": str(run_dir.relative_to(folder)) or ".", "overrides": " ".join(overrides or []),
                       "error": errors[-1].split("] - ", 1)[-1] if errors else "no error logged (killed?)"})
    return failed


def table(runs: list[dict], metrics: list[str]) -> str:
    head = ["run", "overrides", *metrics]
    rows = [[r["run"], r["overrides"], *(f"{r['metrics'][m]:.4f}" if m in r["metrics"] else "" for m in metrics)]
            for r in runs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--metrics", help="comma-separated metric names (default: headline test metrics)")
    parser.add_argument("--csv", type=Path, help="also write the table as CSV")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"no such folder: {args.folder}", file=sys.stderr)
        return 2
    runs, failed = find_runs(args.folder), failed_runs(args.folder)
    if not runs and not failed:
        print(f"no runs under {args.folder}", file=sys.stderr)
        return 1
    names = args.metrics.split(",") if args.metrics else headline(set().union(*(r["metrics"] for r in runs)))
    if runs:
        print(table(runs, names))
    if failed:
        print(f"\nfailed runs ({len(failed)}):\n")
        print("\n".join(f"- {f['run']} ({f['overrides']}): {f['error']}" for f in failed))
    if args.csv:
        with args.csv.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["run", "overrides", *names])
            writer.writerows([r["run"], r["overrides"], *(r["metrics"].get(m, "") for m in names)] for r in runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

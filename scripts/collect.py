"""One table of every run's metrics under a folder (a multirun, a sweep, outputs/), and
<folder>/report.html: the runs, mean ± std per group of runs that differ only in the seed,
the best run, every run's grids side by side and the failed runs:

    python scripts/collect.py outputs/train/multiruns/<folder> [--metrics test/psnr,test/ey_acc] [--csv out.csv]
                              [--best test/psnr --mode max] [--group-by KEY[,KEY...]]

Rows are runs (their command-line overrides), columns the chosen metrics; by default the
headline test metrics (no per-class/attribute breakdown). Runs that did not finish (no
metrics.json) are listed after the table with the error their log ends on.

--group-by makes a seed table: the runs that share the values of the keys form one group,
and each metric is given as mean ± std (sample std) over the group, printed and written to
<folder>/groups.md, with mean, std and count per metric in <folder>/groups.csv. A key is an
override as typed on the command line (`+experiment`, `loss.discrepancy.weight`), else a
dotted key of each run's config.yaml. For example, seeds 0, 1, 2 of two settings:

    python train.py -m +experiment=uda_inversion loss.discrepancy.weight=1,0 seed=0,1,2
    python scripts/collect.py outputs/train/multiruns/<folder> --group-by loss.discrepancy.weight"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganlab.metrics.headline import headline
from ganlab.metrics.tables import markdown_table, write_csv
from ganlab.reports import matrix
from ganlab.reports.run_groups import group_records, group_table, keyed_by
from ganlab.reports.sweep_page import find_runs, last_error, write_sweep_report


def run_rows(runs: list[dict], names: list[str]) -> list[list]:
    return [[r["run"], " ".join(r["overrides"]), *(r["metrics"].get(m, "") for m in names)] for r in runs]


def write_groups(folder: Path, runs: list[dict], names: list[str], keys: list[str]) -> str:
    """<folder>/groups.md and groups.csv of the runs grouped by `keys`; returns the markdown."""
    key, title = keyed_by(keys), " ".join(keys)
    text = markdown_table(*group_table(runs, names, key, title))
    (folder / "groups.md").write_text(f"Mean ± std (sample std) over the runs of each group by {title}\n\n{text}\n")
    write_csv(folder / "groups.csv", *group_records(runs, names, key, title))
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--metrics", help="comma-separated metric names (default: headline test metrics)")
    parser.add_argument("--csv", type=Path, help="also write the table of runs as CSV")
    parser.add_argument("--group-by", help="comma-separated keys: mean ± std per group of runs sharing their values")
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
        print(markdown_table(["run", "overrides", *names], run_rows(runs, names)))
    if args.group_by:
        if not runs:
            print(f"--group-by {args.group_by}: no finished run under {args.folder}", file=sys.stderr)
            return 1
        try:
            groups = write_groups(args.folder, runs, names, args.group_by.split(","))
        except KeyError as e:
            print(f"--group-by {args.group_by}: {e.args[0]}", file=sys.stderr)
            return 2
        print(f"\ngroups by {args.group_by} (mean ± std over runs):\n\n{groups}\n\n"
              f"written: {args.folder / 'groups.md'}, {args.folder / 'groups.csv'}")
    section = matrix.report(runs, args.folder, args.wandb_matrix)
    if section:
        print("\n" + section)
    if failed:
        print(f"\nfailed runs ({len(failed)}, no metrics.json):\n")
        print("\n".join(f"- {r['run']} ({' '.join(r['overrides'])}): {last_error(r['dir'])}" for r in failed))
    if args.csv:
        write_csv(args.csv, ["run", "overrides", *names], run_rows(runs, names))
    report = write_sweep_report(args.folder, names, args.best, args.mode)
    print(f"\nreport: {report.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

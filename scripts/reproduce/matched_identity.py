"""Two generators' edits compared at equal identity, from an invert_edit sweep over
`generator.name` and `method.evaluate.strength`:

    python train.py -m +experiment=invert_edit inverter=e4e editor=lw \
        generator.name=stylegan2-synthfaces32,scgan-synthfaces32 method.evaluate.strength=0,0.25,0.5,1,1.5,2,3 \
        'method.evaluate.editor_overrides=["data.edits=[Pale_Skin,Eyeglasses,Wearing_Hat]"]'
    python scripts/reproduce/matched_identity.py <sweep folder> --reference stylegan2-synthfaces32

A stronger edit succeeds more often and keeps less identity, so success is only comparable at
one identity: for every strength of the reference generator, the other generator's success is
read off its own curve where that curve, walked from its weakest strength, first reaches the
reference's identity (linear between consecutive strengths); blank where it never does."""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

from ganlab.metrics.tables import markdown_table, write_csv
from ganlab.reports.matrix import is_cell
from ganlab.reports.run_groups import key_value
from ganlab.reports.sweep_page import find_runs


def curves(folder: Path) -> dict[str, dict[str, list[tuple[float, float, float]]]]:
    """{generator: {edit: [(strength, success, identity), ...] sorted by strength}}, from each
    finished cell's cells.csv (one row per edit)."""
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for run in find_runs(folder):
        if not is_cell(run["metrics"]):
            continue
        generator = key_value(run, "generator.name")
        strength = float(key_value(run, "method.evaluate.strength"))
        with (Path(run["dir"]) / "cells.csv").open() as f:
            for row in csv.DictReader(f):
                out[generator][row["edit"]].append((strength, float(row["success"]), float(row["id"])))
    return {g: {e: sorted(points) for e, points in edits.items()} for g, edits in out.items()}


def success_at(points: list[tuple[float, float, float]], identity: float) -> float | None:
    """Success where the curve through `points` (in strength order) first reaches `identity`,
    linear between consecutive strengths; None if it never does."""
    for (_, s0, i0), (_, s1, i1) in zip(points, points[1:]):
        if min(i0, i1) <= identity <= max(i0, i1):
            t = 0.0 if i0 == i1 else (identity - i0) / (i1 - i0)
            return s0 + t * (s1 - s0)
    return None


def table(data: dict, reference: str) -> tuple[list[str], list[list]]:
    if reference not in data:
        raise KeyError(f"no run of generator {reference!r} in the sweep (found {sorted(data)})")
    others = [g for g in data if g != reference]
    header = ["edit", "strength", f"{reference} success", f"{reference} identity"]
    for g in others:
        header += [f"{g} success at that identity", f"difference ({g} - {reference})"]
    rows = []
    for edit, points in data[reference].items():
        for strength, success, identity in points:
            row = [edit, strength, round(success, 3), round(identity, 3)]
            for g in others:
                other = success_at(data[g].get(edit, []), identity) if data[g].get(edit) else None
                row += ["", ""] if other is None else [round(other, 3), round(other - success, 3)]
            rows.append(row)
    return header, rows


def raw_table(data: dict) -> tuple[list[str], list[list]]:
    rows = [[g, e, s, round(succ, 3), round(i, 3)] for g, edits in data.items() for e, points in edits.items()
            for s, succ, i in points]
    return ["generator", "edit", "strength", "success", "identity"], rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--reference", required=True, help="the generator.name whose identities are matched")
    args = parser.parse_args(argv)
    data = curves(args.folder)
    if not data:
        raise SystemExit(f"no finished invert_edit run under {args.folder}")
    for name, (header, rows) in {"matched_identity": table(data, args.reference), "curves": raw_table(data)}.items():
        print(markdown_table(header, rows), end="\n\n")
        write_csv(args.folder / f"{name}.csv", header, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

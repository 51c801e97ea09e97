"""The inverter x editor matrix of a +experiment=invert_edit sweep: one markdown table per
input degradation (and generator), a cell per (inverter, editor) run showing
success / identity (and, on degraded inputs, their drop from the clean image's), plus a
long CSV with every cell's scores and wall time. scripts/collect.py prints it when the
folder holds such runs; the W&B group receives it as one table (log_matrix)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from ganlab.metrics.tables import markdown_table, write_csv
from ganlab.reports.run_groups import key_value
from ganlab.reports.timings import LINE, run_log

KEYS = ("inverter", "editor", "degradation", "generator.name")
SCORES = ("success", "preservation", "id", "fid", "cf_moved_toward", "success_drop", "id_drop",
          "id_to_clean_edit", "agree_clean_edit", "edited_images")


def is_cell(metrics: dict | None) -> bool:
    """A finished invert_edit run (its metrics name success, identity and the edited count)."""
    return bool(metrics) and all(f"test/{k}" in metrics for k in ("success", "id", "edited_images"))


def choices(run: dict) -> dict[str, str]:
    """The run's inverter / editor / degradation, as Hydra recorded its group choices (the
    recipe's defaults where not overridden), and its generator.name (override or config.yaml)."""
    hydra_file = Path(run["dir"]) / ".hydra" / "hydra.yaml"
    if not hydra_file.is_file():
        raise FileNotFoundError(f"run {run['run']}: no {hydra_file} (Hydra's record of the config choices)")
    chosen = yaml.safe_load(hydra_file.read_text())["hydra"]["runtime"]["choices"]
    return {**{k: chosen[k] for k in KEYS[:3]}, "generator.name": key_value(run, "generator.name")}


def wall_seconds(run_dir: Path) -> float | None:
    """From the run log's first line to metrics.json."""
    log, done = run_log(run_dir), run_dir / "metrics.json"
    if log is None or not done.is_file():
        return None
    for line in log.read_text(errors="replace").splitlines():
        if m := LINE.match(line):
            start = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
            return done.stat().st_mtime - start
    return None


def cells(runs: list[dict]) -> list[dict]:
    """One record per finished invert_edit run of find_runs' list."""
    out = []
    for run in runs:
        if not is_cell(run["metrics"]):
            continue
        record = {**choices(run), "run": run["run"], "wall_s": wall_seconds(run["dir"])}
        record.update({k: run["metrics"][f"test/{k}"] for k in SCORES if f"test/{k}" in run["metrics"]})
        out.append(record)
    return out


def _cell_text(record: dict) -> str:
    text = f"{record['success']:.3f} / {record['id']:.3f}"
    if "success_drop" in record:
        text += f" (drop {record['success_drop']:+.3f} / {record['id_drop']:+.3f})"
    return text


def markdown(records: list[dict]) -> str:
    """Per degradation and generator: rows inverters, columns editors; cell success / id."""
    sections = []
    for group in dict.fromkeys((r["degradation"], r["generator.name"]) for r in records):
        chosen = [r for r in records if (r["degradation"], r["generator.name"]) == group]
        inverters = list(dict.fromkeys(r["inverter"] for r in chosen))
        editors = list(dict.fromkeys(r["editor"] for r in chosen))
        grid = {(r["inverter"], r["editor"]): _cell_text(r) for r in chosen}
        note = "" if group[0] == "none" else " (drop from the clean image's in brackets)"
        sections.append(f"### degradation={group[0]}, generator {group[1]}: edit success / identity{note}\n\n" +
                        markdown_table(["inverter \\ editor", *editors],
                                       [[i, *(grid.get((i, e), "") for e in editors)] for i in inverters]))
    return "\n\n".join(sections)


def table(records: list[dict]) -> tuple[list[str], list[list]]:
    headers = [*KEYS, *SCORES, "wall_s", "run"]
    return headers, [[r.get(k, "") for k in headers] for r in records]


def write(records: list[dict], folder: Path) -> tuple[Path, Path]:
    """matrix.md and matrix.csv in the sweep folder."""
    md, csv = folder / "matrix.md", folder / "matrix.csv"
    md.write_text(markdown(records) + "\n")
    write_csv(csv, *table(records))
    return md, csv


def log_matrix(records: list[dict], project: str, group: str, mode: str | None = None) -> None:
    """The matrix as one table in a run of the sweep's W&B group (job_type `matrix`)."""
    import wandb

    headers, rows = table(records)
    run = wandb.init(project=project, group=group, job_type="matrix", name=f"{group}-matrix", mode=mode,
                     reinit=True)
    run.log({"matrix": wandb.Table(columns=headers, data=[[str(v) for v in row] for row in rows])})
    run.finish()


def report(runs: list[dict], folder: Path, wandb_group: str | None = None) -> str | None:
    """scripts/collect.py's matrix section (None: no invert_edit runs); wandb_group
    `PROJECT/GROUP` also logs it there."""
    records = cells(runs)
    if not records:
        return None
    md, csv = write(records, folder)
    if wandb_group:
        project, _, group = wandb_group.partition("/")
        if not group:
            raise ValueError(f"--wandb-matrix {wandb_group!r}: give PROJECT/GROUP")
        log_matrix(records, project, group)
    return f"{markdown(records)}\n\nmatrix: {md} and {csv}"

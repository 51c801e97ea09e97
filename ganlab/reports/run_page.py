"""report.html of one run folder: the command, the headline metrics, the evaluation's tables,
every grid and plot with its caption, the time each stage took and the config. Images are
embedded, so the page is one file that opens anywhere without the network."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml

from ganlab.metrics.headline import headline
from ganlab.reports.html import esc, figure, image_caption, markdown, page, table
from ganlab.reports.plots import PLOTS, write_plots
from ganlab.reports.timings import stage_timings

REPORT = "report.html"
SCRIPTS = {"train": "train.py", "eval": "eval.py"}


def overrides(run_dir: Path) -> list[str] | None:
    """The command-line overrides Hydra recorded (None: the run was not started by Hydra's CLI)."""
    path = run_dir / ".hydra" / "overrides.yaml"
    return (yaml.safe_load(path.read_text()) or []) if path.is_file() else None


def run_config(run_dir: Path) -> dict:
    for path in (run_dir / "config.yaml", run_dir / ".hydra" / "config.yaml"):
        if path.is_file():
            return yaml.safe_load(path.read_text()) or {}
    return {}


def command(run_dir: Path, config: dict) -> str:
    args = overrides(run_dir)
    script = SCRIPTS.get(config.get("task_name"), "train.py")
    if args is None:
        return f"(not recorded: the run was started from Python, not {script})"
    return " ".join(["python", script, *args])


def grids(run_dir: Path) -> list[Path]:
    """The evaluation's grids, then each training stage's last sample grid."""
    samples = run_dir / "samples"
    found = sorted((samples / "eval").glob("*.png"))
    for stage in sorted(p for p in samples.glob("*") if p.is_dir() and p.name != "eval"):
        epochs = sorted(stage.glob("epoch_*.png"))
        found += epochs[-1:]
    return found


def plots(run_dir: Path) -> list[Path]:
    """Plots written by the report (plots/) and by the evaluations (curves/, the run folder)."""
    return sorted((run_dir / PLOTS).glob("*.png")) + sorted((run_dir / "curves").glob("*.png")) + sorted(
        run_dir.glob("*.png"))


def tables(run_dir: Path) -> list[str]:
    """The evaluation's markdown tables (tables.md first), then CSVs that have no markdown twin."""
    parts = []
    mds = sorted(run_dir.glob("*.md"), key=lambda p: (p.name != "tables.md", p.name))
    for path in mds:
        parts.append(f"<h3>{esc(path.name)}</h3>\n{markdown(path.read_text())}")
    twins = {p.stem for p in mds} | {"table_inversion", "table_editing"}  # both are in tables.md
    for path in sorted(run_dir.glob("*.csv")):
        if path.stem in twins:
            continue
        with path.open(newline="") as f:
            rows = list(csv.reader(f))
        if rows:
            parts.append(f"<h3>{esc(path.name)}</h3>\n{table(rows[0], rows[1:])}")
    return parts


def write_run_report(run_dir: str | Path, monitors: dict[str, str | None] | None = None) -> Path:
    """Write <run_dir>/report.html. `monitors` (stage -> monitored metric): draw the plots
    first, unless the evaluation already did (plots/ exists)."""
    run_dir = Path(run_dir)
    config = run_config(run_dir)
    metrics_file = run_dir / "metrics.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else None
    if monitors is not None and not (run_dir / PLOTS).is_dir():
        write_plots(run_dir, monitors, metrics or {})
    name = config.get("experiment_name") or run_dir.name
    sections = [("Command", f"<pre>{esc(command(run_dir, config))}</pre>")]
    if metrics is None:
        sections.append(("Headline metrics", "<p class='bad'>No metrics.json: the run did not finish.</p>"))
    else:
        shown = headline(metrics)
        every = table(["metric", "value"], [[k, metrics[k]] for k in sorted(metrics)])
        sections.append(("Headline metrics", table(["metric", "value"], [[k, metrics[k]] for k in shown])
                         + f"<details><summary>all {len(metrics)} metrics</summary>{every}</details>"))
    parts = tables(run_dir)
    if parts:
        sections.append(("Tables", "\n".join(parts)))
    for title, paths in (("Grids", grids(run_dir)), ("Plots", plots(run_dir))):
        if paths:
            sections.append((title, "\n".join(figure(p, image_caption(p) or str(p.relative_to(run_dir)))
                                               for p in paths)))
    timings = stage_timings(run_dir)
    if timings:
        sections.append(("Time per stage", table(["what", "seconds", "how"], [
            [r["what"], "?" if r["seconds"] is None else round(r["seconds"], 1), r["how"]] for r in timings])))
    config_file = run_dir / "config.yaml"
    if config_file.is_file():
        sections.append(("Config", f"<details><summary>config.yaml (resolved)</summary>"
                                   f"<pre>{esc(config_file.read_text())}</pre></details>"))
    body = [f"<p>{esc(recipe(config))}<br>Run folder <code>{esc(run_dir)}</code></p>",
            "<p>" + " · ".join(f"<a href='#{_anchor(t)}'>{esc(t)}</a>" for t, _ in sections) + "</p>"]
    body += [f"<h2 id='{_anchor(t)}'>{esc(t)}</h2>\n{content}" for t, content in sections]
    out = run_dir / REPORT
    out.write_text(page(f"{name}: run report", body))
    return out


def recipe(config: dict) -> str:
    """One line: the recipe's stages, its data and (for two-domain recipes) the degradation."""
    stages = list((config.get("method") or {}).get("stages") or {})
    data = (config.get("data") or {}).get("_target_", "?").rsplit(".", 1)[-1]
    info = config.get("data_info") or {}
    line = f"Stages {' → '.join(stages) or '(none)'}; data {data}"
    if "image_size" in info:
        line += f" ({info['image_size']} px)"
    if config.get("domains"):
        degradation = (config.get("domains") or {}).get("degradation") or {}
        parts = [c["_target_"].rsplit(".", 1)[-1] for c in (degradation.get("choices") or {}).values()
                 if isinstance(c, dict) and "_target_" in c]
        kind = degradation.get("_target_", "?").rsplit(".", 1)[-1]
        line += f"; clean source domain, target degraded by {kind}" + (f" ({', '.join(parts)})" if parts else "")
    return line


def _anchor(title: str) -> str:
    return title.lower().replace(" ", "-")

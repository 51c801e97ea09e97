"""An evaluation's results on W&B, as a dashboard user expects them: the run's config, every
table it wrote as a wandb.Table, its curves as line plots, its plots as images, and
the evaluation's metrics with the tables as an artifact."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.loggers import WandbLogger

from ganlab.metrics.curve_files import FOLDER as CURVES
from ganlab.metrics.curve_files import read_curves_csv

# Run-folder entries that are not results: logger files, checkpoints, Hydra's, samples
# (sent as images already), the stage cache.
NOT_RESULTS = {"csv", "tensorboard", "wandb", "checkpoints", ".hydra", "samples", "cache"}


def log_run_config(logger: WandbLogger, cfg: DictConfig) -> None:
    logger.log_hyperparams(OmegaConf.to_container(cfg, resolve=True))


def log_cached_stage(loggers: list, cfg: DictConfig, stage: str, metrics: dict[str, float]) -> None:
    """A stage loaded from the cache: its config and the metrics it was trained to, so a run
    whose stages all come from the cache still shows them."""
    for logger in loggers:
        if isinstance(logger, WandbLogger):
            log_run_config(logger, cfg)
            logger.log_metrics({f"{stage}/{k}": v for k, v in metrics.items()})
            logger.experiment.summary[f"{stage}/cached"] = True


def result_files(run_dir: Path, pattern: str) -> list[Path]:
    return sorted(p for p in Path(run_dir).rglob(pattern) if p.relative_to(run_dir).parts[0] not in NOT_RESULTS)


def _cell(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def csv_table(path: Path) -> tuple[list[str], list[list]]:
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [[_cell(c) for c in row] for row in rows[1:]]


def markdown_tables(text: str) -> list[tuple[str, list[str], list[list]]]:
    """(title, columns, rows) of every `| a | b |` table in a markdown text; the title is the
    last heading above it (or empty)."""
    found, title, block = [], "", []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        if len(block) >= 2:
            found.append((title, block[0], [[_cell(c) for c in row] for row in block[2:]]))
        block = []
        if line.startswith("#"):
            title = line.lstrip("#").strip()
    return found


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


def run_tables(run_dir: Path) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of a run folder by key: the CSVs, and the tables of markdown files that
    have no CSV twin (tables.md's sections, classifiers.md, ...)."""
    tables = {f"tables/{_slug(str(p.relative_to(run_dir).with_suffix('')))}": csv_table(p)
              for p in result_files(run_dir, "*.csv") if p.parent.name != CURVES}
    for md in result_files(run_dir, "*.md"):
        if md.with_suffix(".csv").is_file():
            continue
        for i, (title, columns, rows) in enumerate(markdown_tables(md.read_text())):
            tables[f"tables/{md.stem}/{_slug(title) or i}"] = (columns, rows)
    return tables


def line_plots(run_dir: Path) -> dict:
    """One W&B line plot per curves file, panel and measured value (series = the lines)."""
    import wandb

    plots = {}
    for path in result_files(run_dir, f"{CURVES}/*.csv"):
        x, values, curves = read_curves_csv(path)
        for panel, by_series in curves.items():
            for value in values:
                lines = {s: [(px, ys[value]) for px, ys in pts if value in ys] for s, pts in by_series.items()}
                lines = {s: pts for s, pts in lines.items() if pts}
                if not lines:
                    continue
                xs = [[p[0] for p in pts] for pts in lines.values()]
                ys = [[p[1] for p in pts] for pts in lines.values()]
                plots[f"curves/{path.stem}/{_slug(panel)}/{value}"] = wandb.plot.line_series(
                    xs=xs, ys=ys, keys=list(lines), title=f"{panel}: {value} against {x}", xname=x)
    return plots


def log_results(loggers: list, cfg: DictConfig, metrics: dict[str, float], step: int = 0) -> None:
    """Send what an evaluation wrote into the run folder to every W&B logger (keys under
    `eval/`, as the logger's stage is eval); the artifact holds the run's metrics.json (its
    stages' and its evaluation's metrics) and its result tables."""
    import wandb

    run_dir = Path(cfg.paths.output_dir)
    for logger in loggers:
        if not isinstance(logger, WandbLogger):
            continue
        log_run_config(logger, cfg)
        tables = {"tables/metrics": (["metric", "value"], [[k, float(v)] for k, v in sorted(metrics.items())]),
                  **run_tables(run_dir)}
        for key, (columns, rows) in tables.items():
            logger.log_table(key=key, columns=columns, data=rows, step=step)
        plots = line_plots(run_dir)
        if plots:
            logger.log_metrics(plots, step=step)
        for path in result_files(run_dir, "*.png"):
            logger.log_image(key=f"plots/{_slug(str(path.relative_to(run_dir).with_suffix('')))}",
                             images=[str(path)], step=step)
        artifact = wandb.Artifact(f"results-{logger.experiment.id}", type="results",
                                  description=f"{cfg.experiment_name}: the evaluation's metrics and result tables")
        for path in [run_dir / "metrics.json", *result_files(run_dir, "*.csv"), *result_files(run_dir, "*.md")]:
            artifact.add_file(str(path), name=str(path.relative_to(run_dir)))
        logger.experiment.log_artifact(artifact)

"""What train.py and eval.py do around a task: log failures, always close W&B, keep a
sweep alive when one trial's loss goes NaN, and print where the results are."""

from __future__ import annotations

import logging
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from ganlab import run
from ganlab.callbacks.nan_guard import NonFiniteLossError
from ganlab.metrics.headline import headline

log = logging.getLogger("ganlab")


def _in_multirun() -> bool:
    try:
        return HydraConfig.get().mode.name == "MULTIRUN"
    except ValueError:
        return False


def print_metrics(metrics: dict[str, float]) -> None:
    shown = headline(metrics)
    width = max((len(k) for k in shown), default=10)
    print("\n" + "\n".join(f"  {k:<{width}}  {metrics[k]:.4f}" for k in shown))


def print_tables(run_dir: Path) -> None:
    """A recipe's result tables (tables.md, written by its evaluation), after the metrics."""
    tables = run_dir / "tables.md"
    if tables.is_file():
        print(f"\n{tables}:\n\n{tables.read_text()}")


def run_task(task: str, cfg: DictConfig) -> float | None:
    try:
        metrics = run.train(cfg) if task == "train" else run.evaluate(cfg)
    except NonFiniteLossError as e:
        if not _in_multirun():
            raise
        log.error("trial failed: %s", e)
        return float("nan")  # Optuna records a NaN trial as failed and the sweep goes on
    except Exception:
        log.exception("%s failed", task)
        raise
    finally:
        import wandb

        if wandb.run is not None:
            wandb.finish()
    print(f"\nrun folder: {cfg.paths.output_dir}  (metrics.json, checkpoints/, samples/)")
    print_metrics(metrics)
    print_tables(Path(cfg.paths.output_dir))
    print(f"\nreport: {Path(cfg.paths.output_dir).resolve() / 'report.html'}")
    return run.sweep_value(cfg, metrics)

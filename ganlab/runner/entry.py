"""What train.py and eval.py do around a task: log failures once, always close W&B, stop
cleanly on preemption with the command that resumes, and print where the results are."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from ganlab.metrics.headline import headline
from ganlab.preemption import Preempted
from ganlab.runner import run

log = logging.getLogger("ganlab")


def print_metrics(metrics: dict[str, float]) -> None:
    shown = headline(metrics)
    width = max((len(k) for k in shown), default=10)
    print("\n" + "\n".join(f"  {k:<{width}}  {metrics[k]:.4f}" for k in shown))


def print_tables(run_dir: Path) -> None:
    """A recipe's result tables (tables.md, written by its evaluation), after the metrics."""
    tables = run_dir / "tables.md"
    if tables.is_file():
        print(f"\n{tables}:\n\n{tables.read_text()}")


def resume_command(task: str, checkpoint: str | None) -> str:
    """The command that continues a stopped run (in the same run folder)."""
    try:
        overrides = [o for o in HydraConfig.get().overrides.task if not o.startswith("ckpt_path=")]
    except ValueError:
        overrides = []
    script = "train.py" if task == "train" else "eval.py"
    return " ".join(["python", script, *overrides, *([f"ckpt_path={checkpoint}"] if checkpoint else [])])


def run_task(task: str, cfg: DictConfig) -> float | None:
    try:
        metrics = run.train(cfg) if task == "train" else run.evaluate(cfg)
    except Preempted as e:
        log.error("%s", e)
        print(f"\nstopped by {signal.Signals(e.signum).name}; resume with:\n  {resume_command(task, e.checkpoint)}")
        raise SystemExit(128 + e.signum) from None
    except Exception as e:
        # One line here; Hydra prints the traceback once, after it. In a sweep the trial is
        # recorded as failed and the sweep goes on (hydra.sweeper.max_failure_rate).
        log.error("%s failed: %s: %s", task, type(e).__name__, " ".join(str(e).split()))
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

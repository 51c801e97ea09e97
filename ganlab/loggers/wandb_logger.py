"""A W&B logger that never breaks a run: with no credentials or no route to the server
it logs offline under the run folder (upload later with `wandb sync <dir>`)."""

from __future__ import annotations

import hashlib
import logging
import netrc
import os
import socket
from pathlib import Path

from pytorch_lightning.loggers import WandbLogger

from ganlab.loggers.wandb_naming import run_group, run_name, run_tags

log = logging.getLogger("ganlab")


def _has_credentials() -> bool:
    if os.environ.get("WANDB_API_KEY"):
        return True
    try:
        return netrc.netrc().authenticators("api.wandb.ai") is not None
    except (FileNotFoundError, netrc.NetrcParseError):
        return False


def _reachable(host: str = "api.wandb.ai", port: int = 443, timeout: float = 2.0) -> bool:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def choose_mode(requested: str | None = None) -> tuple[str, str]:
    """(mode, reason): an explicit setting or WANDB_MODE wins; else online only when
    credentials exist and the server answers."""
    requested = requested or os.environ.get("WANDB_MODE")
    if requested:
        return requested, "requested"
    if not _has_credentials():
        return "offline", "no W&B credentials (WANDB_API_KEY or ~/.netrc)"
    if not _reachable():
        return "offline", "api.wandb.ai is not reachable"
    return "online", "credentials found and server reachable"


class StageWandbLogger(WandbLogger):
    """Lightning's W&B logger with each key under its stage once: `cgan/train/loss_g`,
    `eval/edits` (a key that already starts with the stage is kept as it is)."""

    def __init__(self, *args, stage: str = "", **kwargs):
        super().__init__(*args, prefix="", **kwargs)
        self._stage = stage

    def log_metrics(self, metrics, step=None) -> None:
        super().log_metrics({stage_key(self._stage, k): v for k, v in metrics.items()}, step)


def stage_key(stage: str, key: str) -> str:
    return key if not stage or key == stage or key.startswith(f"{stage}/") else f"{stage}/{key}"


def wandb_logger(save_dir: str, project: str = "ganlab", recipe: str | None = None, stages: list[str] | None = None,
                 seed: int | None = None, name: str | None = None, group: str | None = None,
                 tags: list[str] | None = None, prefix: str | None = None, mode: str | None = None) -> WandbLogger:
    """name / group / tags left null come from the recipe, the command line and the sweep
    (ganlab.loggers.wandb_naming)."""
    mode, reason = choose_mode(mode)
    Path(save_dir).mkdir(parents=True, exist_ok=True)
    if mode != "online":
        log.warning("W&B logging %s (%s); runs are written under %s/wandb, upload with `wandb sync`",
                    mode, reason, save_dir)
    os.environ["WANDB_MODE"] = mode  # wandb.init reads it; also stops later re-checks
    os.environ.setdefault("WANDB_SILENT", "true")
    recipe = recipe or project
    return StageWandbLogger(project=project, name=name or run_name(recipe), group=group or run_group(recipe),
                            tags=tags or run_tags(recipe, list(stages or []), seed), save_dir=save_dir,
                            stage=prefix or "", offline=mode == "offline", mode=mode, log_model=False,
                            id=run_id(save_dir), resume="allow")


def run_id(save_dir: str) -> str:
    """One W&B run per run folder: a run resumed in its folder (ganlab.runner.resume_folder) logs to
    the same W&B run."""
    return hashlib.sha256(str(Path(save_dir).resolve()).encode()).hexdigest()[:16]

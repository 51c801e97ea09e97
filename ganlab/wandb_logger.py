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


def wandb_logger(save_dir: str, project: str = "ganlab", name: str | None = None, group: str | None = None,
                 tags: list[str] | None = None, prefix: str | None = None, mode: str | None = None) -> WandbLogger:
    mode, reason = choose_mode(mode)
    Path(save_dir).mkdir(parents=True, exist_ok=True)
    if mode != "online":
        log.warning("W&B logging %s (%s); runs are written under %s/wandb, upload with `wandb sync`",
                    mode, reason, save_dir)
    os.environ["WANDB_MODE"] = mode  # wandb.init reads it; also stops later re-checks
    os.environ.setdefault("WANDB_SILENT", "true")
    return WandbLogger(project=project, name=name, group=group, tags=tags, save_dir=save_dir,
                       prefix=prefix or "", offline=mode == "offline", mode=mode, log_model=False,
                       id=run_id(save_dir), resume="allow")


def run_id(save_dir: str) -> str:
    """One W&B run per run folder: a run resumed in its folder (ganlab.run_folder) logs to
    the same W&B run."""
    return hashlib.sha256(str(Path(save_dir).resolve()).encode()).hexdigest()[:16]

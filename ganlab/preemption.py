"""Preemption: a cluster sends SIGTERM (or SIGUSR1 / SIGUSR2, SLURM's `--signal`) before it kills a
job. The signal is only noted here; the training loop then saves a checkpoint at the end
of the batch it is in and stops (ganlab.callbacks.preemption), and the entry point exits
non-zero with the command that resumes the run in the same folder."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

SIGNALS = (signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2)  # USR2: what submitit asks SLURM to send
_received: list[int] = []


class Preempted(Exception):
    """Raised where a run can stop cleanly after a preemption signal."""

    def __init__(self, signum: int, checkpoint: str | None, stage: str | None):
        self.signum, self.checkpoint, self.stage = signum, checkpoint, stage
        where = f"checkpoint {checkpoint}" if checkpoint else "no checkpoint needed (finished stages are cached)"
        super().__init__(f"{signal.Signals(signum).name} received during stage {stage or '-'}: stopped; {where}")


def received() -> int | None:
    """The first preemption signal received since `watching` began, if any."""
    return _received[0] if _received else None


def _note(signum, _frame) -> None:
    _received.append(signum)


@contextmanager
def watching():
    """Note preemption signals for the duration of a run (main thread only: Python
    delivers signals there), then put the previous handlers back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    _received.clear()
    listen()
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _received.clear()


def listen() -> None:
    """(Re)install the handlers that note preemption signals."""
    if threading.current_thread() is threading.main_thread():
        for s in SIGNALS:
            signal.signal(s, _note)


def stop_if_received(stage: str | None = None) -> None:
    """Between stages: stop when a signal came (no checkpoint: finished stages are cached)."""
    if received() is not None:
        raise Preempted(received(), None, stage)

"""One writer per cache entry: processes that need the same missing zoo model or stage (a
parallel sweep on a cold cache) take turns, so it is trained once and the others load it,
instead of each training it into the same run folder."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("ganlab")


@contextmanager
def cache_lock(target: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on `<target>.lock` (an advisory flock, freed by the OS if the
    holder dies); says in the log when it has to wait for another process."""
    lock = Path(f"{target}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("%s: another process is making %s; waiting for it", what, target)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

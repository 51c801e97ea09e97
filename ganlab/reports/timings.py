"""Wall time per stage of a finished run, read from what the run left behind: the log's
"stage NAME: training" lines (when a stage started), each stage's last checkpoint (when it
ended) and metrics.json (when the evaluation ended). Stages the zoo trains on the way are
told apart by the zoo's "not cached; training it" / "cached at" lines around them."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\]\[ganlab\]\[\w+\] - (.*)$")
STAGE = re.compile(r"^stage (\S+): (training|finished earlier)")
ZOO_START = re.compile(r"^zoo: (\S+) is not cached; training it")
ZOO_END = re.compile(r"^zoo: (\S+) cached at")


def run_log(run_dir: Path) -> Path | None:
    """The Hydra job log of a run (train.log, eval.log, ...)."""
    logs = sorted(run_dir.glob("*.log"))
    return logs[0] if logs else None


def _events(log: Path) -> list[tuple[datetime, str]]:
    events = []
    for line in log.read_text(errors="replace").splitlines():
        if m := LINE.match(line):
            events.append((datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f"), m.group(2)))
    return events


def stage_timings(run_dir: str | Path) -> list[dict]:
    """Rows (what, seconds, how): each stage of the recipe, each model the zoo trained, and
    the evaluation; seconds is None where an end is not on disk."""
    run_dir = Path(run_dir)
    log = run_log(run_dir)
    if log is None:
        return []
    events = _events(log)
    rows, zoo, last_end = [], None, None
    for time, message in events:
        if m := ZOO_START.match(message):
            zoo = {"what": f"zoo model {m.group(1)} (trained for this run)", "start": time}
        elif (m := ZOO_END.match(message)) and zoo is not None:
            rows.append({"what": zoo["what"], "seconds": (time - zoo["start"]).total_seconds(), "how": "trained"})
            zoo, last_end = None, time
        elif (m := STAGE.match(message)) and zoo is None:
            name, how = m.group(1), m.group(2)
            if how == "finished earlier":
                rows.append({"what": f"stage {name}", "seconds": 0.0, "how": "loaded from the stage cache"})
                last_end = time
                continue
            ckpt = run_dir / "checkpoints" / name / "last.ckpt"
            end = datetime.fromtimestamp(ckpt.stat().st_mtime) if ckpt.is_file() else None
            seconds = (end - time).total_seconds() if end is not None and end >= time else None
            rows.append({"what": f"stage {name}", "seconds": seconds, "how": "trained"})
            last_end = end or last_end
    metrics = run_dir / "metrics.json"
    if metrics.is_file() and last_end is not None:
        done = datetime.fromtimestamp(metrics.stat().st_mtime)
        rows.append({"what": "evaluation", "seconds": (done - last_end).total_seconds(),
                     "how": "from the last stage (or zoo model) to metrics.json"})
    if events and metrics.is_file():
        rows.append({"what": "whole run", "seconds": (datetime.fromtimestamp(metrics.stat().st_mtime)
                                                      - events[0][0]).total_seconds(), "how": "first log line to "
                     "metrics.json"})
    return rows

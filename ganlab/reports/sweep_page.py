"""report.html of a multirun or sweep folder: every run's metrics in one table, the mean and
standard deviation over seeds per group of runs with otherwise identical overrides, the best
run, the grids of every run side by side and the runs that failed (with the last error of
their log). Images are linked beside the page (the run folders under it)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from ganlab.metrics.headline import headline
from ganlab.reports.html import Link, esc, figure, image_caption, page, table
from ganlab.reports.run_groups import group_table
from ganlab.reports.run_page import REPORT, overrides, run_config
from ganlab.reports.timings import run_log

LOWER_IS_BETTER = re.compile(r"fid|mse|lpips|loss|gap|error", re.IGNORECASE)


def find_runs(folder: Path) -> list[dict]:
    """Every run folder under `folder` (it has metrics.json or Hydra's .hydra/), in order."""
    dirs = {p.parent for p in folder.rglob("metrics.json")} | {p.parent for p in folder.rglob(".hydra") if p.is_dir()}
    runs = []
    for run_dir in sorted(dirs, key=_natural):
        metrics_file = run_dir / "metrics.json"
        args = overrides(run_dir) or []
        runs.append({"dir": run_dir, "run": str(run_dir.relative_to(folder)) or ".", "overrides": args,
                     "metrics": json.loads(metrics_file.read_text()) if metrics_file.is_file() else None})
    return runs


def _natural(path: Path) -> list:
    """Sort 2 before 10 (Hydra numbers multirun jobs 0, 1, ..., 10)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(path))]


def last_error(run_dir: Path) -> str:
    """The last ERROR line of the run's log, and the exception its traceback ends with (the
    lines after the traceback's last indented one)."""
    log = run_log(run_dir)
    if log is None:
        return "no log file"
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if "][ERROR]" in line]
    if not errors:
        return f"no ERROR line in {log.name} (the run was stopped, or is still running)"
    after = lines[errors[-1] + 1:]
    indented = [i for i, line in enumerate(after) if line[:1].isspace()]
    exception = " ".join(after[indented[-1] + 1:] if indented else after)
    message = lines[errors[-1]].split("] - ", 1)[-1]
    return f"{message}: {exception[:400]}" if exception else message


def best_direction(metric: str) -> str:
    return "min" if LOWER_IS_BETTER.search(metric) else "max"


def write_sweep_report(folder: str | Path, metrics: list[str] | None = None, best: str | None = None,
                       mode: str | None = None) -> Path:
    """Write <folder>/report.html. metrics: the columns (default: the headline test metrics);
    best: the metric that picks the best run (default: the runs' optimized_metric, else the
    first column), mode: min or max (default: min for FID / MSE / LPIPS / loss / gap / error)."""
    folder = Path(folder)
    runs = find_runs(folder)
    if not runs:
        raise FileNotFoundError(f"no run folders (metrics.json or .hydra/) under {folder}")
    done = [r for r in runs if r["metrics"] is not None]
    failed = [r for r in runs if r["metrics"] is None]
    names = (metrics or headline(set().union(*(r["metrics"] for r in done)))) if done else []
    body = [f"<p>Folder <code>{esc(folder)}</code>: {len(runs)} runs, {len(done)} finished, "
            f"{len(failed)} failed.</p>"]
    if done:
        best = best or run_config(done[0]["dir"]).get("optimized_metric") or names[0]
        mode = mode or best_direction(best)
        if mode not in ("min", "max"):
            raise ValueError(f"mode={mode!r}: use min or max")
        scored = [r for r in done if best in r["metrics"] and math.isfinite(r["metrics"][best])]
        body.append("<h2>Best run</h2>")
        if scored:
            top = (min if mode == "min" else max)(scored, key=lambda r: r["metrics"][best])
            body.append(f"<p>By {esc(best)} ({mode}imum): <b>{esc(top['run'])}</b> "
                        f"<code>{esc(' '.join(top['overrides']))}</code>, {esc(best)} = "
                        f"{top['metrics'][best]:.4g} {_report_link(top, folder)}</p>")
        else:
            body.append(f"<p class='bad'>No finished run reports {esc(best)}.</p>")
        headers, rows = group_table(done, names)
        body += ["<h2>Groups: mean ± std over seeds</h2>", table(headers, rows, numeric_from=1)]
        body += ["<h2>Every run</h2>", table(["run", "overrides", *names, "report"], [
            [r["run"], " ".join(r["overrides"]), *(r["metrics"].get(m, "") for m in names),
             Link(str((r["dir"] / REPORT).relative_to(folder)), REPORT) if (r["dir"] / REPORT).is_file() else ""]
            for r in done], numeric_from=2)]
        body += _grids_side_by_side(done, folder)
    if failed:
        body += ["<h2 class='bad'>Failed runs</h2>",
                 table(["run", "overrides", "last error"],
                       [[r["run"], " ".join(r["overrides"]), last_error(r["dir"])] for r in failed])]
    out = folder / REPORT
    out.write_text(page(f"Sweep report: {folder.name}", body))
    return out


def _report_link(run: dict, folder: Path) -> str:
    path = run["dir"] / REPORT
    return f"(<a href='{esc(path.relative_to(folder))}'>its report</a>)" if path.is_file() else ""


def _grids_side_by_side(runs: list[dict], folder: Path) -> list[str]:
    names = sorted({p.name for r in runs for p in (r["dir"] / "samples" / "eval").glob("*.png")})
    parts = ["<h2>Grids of every run</h2>"] if names else []
    for name in names:
        first = next(r["dir"] / "samples" / "eval" / name for r in runs
                     if (r["dir"] / "samples" / "eval" / name).is_file())
        parts.append(f"<h3>{esc(name)}: {esc(image_caption(first) or '')}</h3><div class='side'>")
        for r in runs:
            path = r["dir"] / "samples" / "eval" / name
            if path.is_file():
                label = f"{r['run']}: {' '.join(r['overrides']) or '(no overrides)'}"
                parts.append(figure(path, label, src=str(path.relative_to(folder))))
        parts.append("</div>")
    return parts

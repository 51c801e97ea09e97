"""Runs of a multirun or sweep grouped, and their metrics as mean ± std per group: by default
the runs whose overrides differ only in the seed, or by the values of chosen keys
(`collect.py --group-by`)."""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable

from omegaconf import OmegaConf

from ganlab.metrics.tables import mean_std
from ganlab.reports.run_page import run_config


def group_key(args: list[str]) -> str:
    """A run's overrides without its seed: the runs of one group differ only in the seed."""
    return " ".join(a for a in args if not re.match(r"^\+{0,2}seed=", a)) or "(no overrides)"


def _bare(key: str) -> str:
    return key.lstrip("+~")


def key_value(run: dict, key: str) -> str:
    """The value of `key` in one run: its command-line override (as typed, with or without
    + / ++), else its config.yaml (a dotted key). A key neither holds is an error naming the run."""
    for arg in run["overrides"]:
        name, _, value = arg.partition("=")
        if _bare(name) == _bare(key):
            return value
    value = OmegaConf.select(OmegaConf.create(run_config(run["dir"])), _bare(key), default=None)
    if value is None:
        raise KeyError(f"run {run['run']} ({run['dir']}): no override {key}=... and no {_bare(key)!r} in its "
                       f"config.yaml; group by a key the runs set")
    return str(value)


def keyed_by(keys: list[str]) -> Callable[[dict], str]:
    """run -> 'key=value ...' over `keys` (see key_value)."""
    if not keys:
        raise ValueError("keyed_by needs at least one key")
    return lambda run: " ".join(f"{_bare(k)}={key_value(run, k)}" for k in keys)


def seeds_apart(run: dict) -> str:
    return group_key(run["overrides"])


def group_runs(runs: list[dict], key: Callable[[dict], str] = seeds_apart) -> dict[str, list[dict]]:
    """Finished runs (each with 'overrides' and 'metrics') by group, in the order groups first appear."""
    groups: dict[str, list[dict]] = {}
    for run in runs:
        groups.setdefault(key(run), []).append(run)
    return groups


def _values(members: list[dict], metric: str) -> list[float]:
    return [r["metrics"][metric] for r in members if metric in r["metrics"] and math.isfinite(r["metrics"][metric])]


def group_table(runs: list[dict], names: list[str], key: Callable[[dict], str] = seeds_apart,
                title: str = "overrides (seed aside)") -> tuple[list[str], list[list]]:
    """Headers and rows, one per group: the group, its number of runs and 'mean ± std' per metric."""
    rows = [[group, len(members), *(mean_std(_values(members, m)) for m in names)]
            for group, members in group_runs(runs, key).items()]
    return [title, "runs", *names], rows


def group_records(runs: list[dict], names: list[str], key: Callable[[dict], str] = seeds_apart,
                  title: str = "group") -> tuple[list[str], list[list]]:
    """The same groups for a CSV: per metric its mean, sample std (blank for one run) and the
    number of runs that report it."""
    rows = []
    for group, members in group_runs(runs, key).items():
        cells = []
        for m in names:
            values = _values(members, m)
            cells += [statistics.mean(values) if values else "",
                      statistics.stdev(values) if len(values) > 1 else "", len(values)]
        rows.append([group, len(members), *cells])
    return [title, "runs", *(f"{m} {part}" for m in names for part in ("mean", "std", "n"))], rows

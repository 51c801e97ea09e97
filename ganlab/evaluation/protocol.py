"""The interface every evaluation protocol implements (a recipe's `method.evaluate`).

A protocol reads the trained modules of some of the recipe's stages, each named by a
constructor parameter listed in `stage_parameters` (defaults: the recipe's own stage names,
e.g. `encoder_stage: str = "encoder"`; None: that part is not read). It writes metrics whose
keys start with `test/` and files (tables, plots, grids under samples/eval/) into out_dir.
The runner checks the stage names against the recipe before training and again before
evaluating (`check_reads`)."""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import ClassVar

from ganlab.config.validate import ConfigError

METRIC_PREFIX = "test/"


class Evaluation(ABC):
    stage_parameters: ClassVar[tuple[str, ...]] = ()  # constructor parameters that name a stage read

    @property
    def reads(self) -> dict[str, str]:
        """The stages this protocol reads: parameter -> configured stage name."""
        return {p: getattr(self, p) for p in self.stage_parameters if getattr(self, p) is not None}

    @abstractmethod
    def __call__(self, stages: Mapping[str, object], datamodule, out_dir: Path) -> dict[str, float]:
        """Metrics named `test/...`; files written under out_dir."""


def configured_reads(cls: type[Evaluation], config: Mapping) -> dict[str, str]:
    """The stages a protocol's config makes it read (a parameter not set takes its default),
    known before anything is built."""
    defaults = inspect.signature(cls.__init__).parameters
    reads = {p: config[p] if p in config else defaults[p].default for p in cls.stage_parameters}
    return {p: name for p, name in reads.items() if name is not None}


def check_reads(reads: Mapping[str, str], stages: Iterable[str]) -> None:
    """Every stage a protocol reads is one of the recipe's."""
    stages = list(stages)
    missing = [f"method.evaluate.{p}: stage {name!r}" for p, name in reads.items() if name not in stages]
    if missing:
        raise ConfigError(f"the evaluation reads stages the recipe does not have ({', '.join(missing)}); "
                          f"the recipe's stages are {stages}")


def check_metrics(evaluation: Evaluation, metrics: Mapping[str, float]) -> None:
    """An evaluation's metrics are named test/... (the loggers and reports group them so)."""
    stray = [k for k in metrics if not k.startswith(METRIC_PREFIX)]
    if stray:
        raise ValueError(f"{type(evaluation).__name__} returned metrics outside {METRIC_PREFIX!r}: {stray}")

"""Silence third-party chatter that says nothing about the run (advertising tips, a
deprecation inside Lightning itself); real warnings still show."""

import logging
import warnings


def _not_a_tip(record: logging.LogRecord) -> bool:
    return "💡 Tip" not in record.getMessage()


def install() -> None:
    for name in ("pytorch_lightning.utilities.rank_zero", "lightning.pytorch.utilities.rank_zero"):
        logging.getLogger(name).addFilter(_not_a_tip)
    warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*")
    warnings.filterwarnings("ignore", message=r".*has no `validation_step`.*")
    warnings.filterwarnings("ignore", message=r".*does not have many workers.*")

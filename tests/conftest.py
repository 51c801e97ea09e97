"""Shared fixtures: compose configs with Hydra's compose API into temporary folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = str(ROOT / "configs")
sys.path.insert(0, str(ROOT))
os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("WANDB_SILENT", "true")
TEST_THREADS = os.environ.setdefault("GANLAB_TEST_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", TEST_THREADS)  # the CLI tests' subprocesses too


@pytest.fixture(autouse=True, scope="session")
def _torch_threads():
    """Tiny test models gain nothing from a second thread, and OpenMP spin-waits make them
    several times slower while other processes share the cores (GANLAB_TEST_THREADS=N)."""
    torch.set_num_threads(int(TEST_THREADS))


def run_overrides(run_dir: Path, cache: Path, *overrides: str) -> list[str]:
    """A test run's overrides: its run folder and caches where the test says, no progress bar."""
    return [f"paths.output_dir={run_dir}", f"paths.cache_dir={cache}", "callbacks.progress_bar=null", *overrides]


@pytest.fixture
def compose_cfg(tmp_path):
    """compose_cfg(*overrides, cache=None) -> a config whose run folder and caches are in
    tmp_path; the Hydra context stays open for the test (the zoo composes inside it)."""
    runs = []

    def _compose(*overrides: str, cache: Path | None = None, config_name: str = "train"):
        runs.append(tmp_path / f"run{len(runs) + 1}")
        return compose(config_name=config_name, overrides=run_overrides(runs[-1], cache or tmp_path / "cache",
                                                                          *overrides))

    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        yield _compose

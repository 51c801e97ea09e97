"""Shared fixtures: configs composed with ganlab.compose into temporary folders."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from ganlab import compose

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = str(ROOT / "configs")
os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("WANDB_SILENT", "true")
TEST_THREADS = os.environ.setdefault("GANLAB_TEST_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", TEST_THREADS)  # the CLI tests' subprocesses too


@pytest.fixture(autouse=True, scope="session")
def _torch_threads():
    """Tiny test models gain nothing from a second thread, and OpenMP spin-waits make them
    several times slower while other processes share the cores (GANLAB_TEST_THREADS=N); the
    suite runs one test process per core instead (pytest-xdist, pyproject.toml)."""
    torch.set_num_threads(int(TEST_THREADS))


@pytest.fixture(scope="session")
def zoo_cache(tmp_path_factory) -> Path:
    """A zoo and stage cache shared by the tests of one test process that only read it: each
    model is trained once per process, and its key (config and code) gives a recipe only the
    models built for it. Tests that corrupt, delete or count cache files keep their own."""
    return tmp_path_factory.mktemp("zoo_cache")


def run_overrides(run_dir: Path, cache: Path, *overrides: str) -> list[str]:
    """A test run's overrides: its run folder and caches where the test says, no progress bar."""
    return [f"paths.output_dir={run_dir}", f"paths.cache_dir={cache}", "callbacks.progress_bar=null", *overrides]


@pytest.fixture
def compose_cfg(tmp_path):
    """compose_cfg(*overrides, cache=None) -> a config whose run folder and caches are in tmp_path."""
    runs = []

    def _compose(*overrides: str, cache: Path | None = None, config_name: str = "train"):
        runs.append(tmp_path / f"run{len(runs) + 1}")
        return compose(run_overrides(runs[-1], cache or tmp_path / "cache", *overrides), config_name=config_name)

    return _compose


def load_script(path: str):
    """The module of scripts/<path>, to call its functions as running it would."""
    file = ROOT / "scripts" / path
    spec = importlib.util.spec_from_file_location(file.stem, file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(script: str, *args: str, env: dict | None = None, timeout: float = 600
               ) -> subprocess.CompletedProcess:
    """`python scripts/<script> <args>` from the repository root as a user runs it (output
    captured), this checkout's ganlab first on the import path."""
    env = {**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(ROOT / "scripts" / script), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@dataclass
class Multirun:
    folder: Path  # the sweep folder Hydra made: jobs 0 and 1 finished, 2 failed
    stdout: str  # what `train.py -m` printed
    env: dict  # the environment it ran in (its GANLAB_CACHE, no W&B credentials)
    log_dir: Path  # paths.log_dir of the runs


@pytest.fixture(scope="session")
def icgan_multirun(tmp_path_factory) -> Multirun:
    """`train.py -m +experiment=icgan debug=fdr seed=1,2` as a user types it, and a third run
    of the same recipe, in the same sweep folder, that fails on a bad override; built once
    for the CLI and report tests."""
    tmp = tmp_path_factory.mktemp("icgan_multirun")
    env = {k: v for k, v in os.environ.items() if k not in ("WANDB_MODE", "WANDB_API_KEY")}
    env.update(GANLAB_CACHE=str(tmp / "cache"), HOME=str(tmp))  # HOME: no ~/.netrc, so no W&B credentials
    logs = tmp / "outputs"
    done = subprocess.run([sys.executable, "train.py", "-m", "+experiment=icgan", "debug=fdr", "seed=1,2",
                           f"paths.log_dir={logs}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    sweeps = list((logs / "train" / "multiruns").iterdir())
    assert len(sweeps) == 1, sweeps
    failed = subprocess.run([sys.executable, "train.py", "+experiment=icgan", "debug=fdr", "data.batch_size=0",
                             f"hydra.run.dir={sweeps[0] / '2'}"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert failed.returncode != 0, failed.stdout[-3000:]
    return Multirun(sweeps[0], done.stdout, env, logs)


@pytest.fixture(autouse=True, scope="session")
def _reports_in_browser(tmp_path_factory):
    """The run reports the tests checked (report_checks.TO_RENDER), opened in headless Chromium
    together once the session's tests are done (one browser start for all of them)."""
    from .browser import chromium_or_none, probe_pages
    from .report_checks import TO_RENDER, rendering_problems

    yield
    if TO_RENDER and chromium_or_none() is not None:
        seen = probe_pages(list(TO_RENDER), tmp_path_factory.mktemp("chromium") / "profile")
        problems = rendering_problems(seen)
        assert not problems, "reports that do not render in Chromium:\n" + "\n".join(problems)

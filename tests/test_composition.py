"""Every recipe composes; debug settings win over recipes; run folders never collide."""

import re
from pathlib import Path

import pytest

from ganlab import compose
from ganlab.runner.run import ROOT_KEYS, apply_debug

from .conftest import CONFIG_DIR

EXPERIMENTS = sorted(p.stem for p in (Path(CONFIG_DIR) / "experiment").glob("*.yaml"))


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_recipe_composes(compose_cfg, experiment):
    cfg = compose_cfg(f"+experiment={experiment}")
    assert cfg.method.stages or experiment == "invert_edit", experiment  # invert_edit: zoo parts alone
    assert set(cfg.keys()) <= ROOT_KEYS | {"hydra"}


def test_debug_wins_over_the_recipe(compose_cfg):
    cfg = apply_debug(compose_cfg("+experiment=icgan", "debug=limit", "trainer.max_epochs=7"))
    assert cfg.trainer.max_epochs == 2 and cfg.trainer.limit_train_batches == 3
    assert list(cfg.zoo_overrides) == ["debug=limit"]


def test_run_folders_carry_microseconds():
    cfg = compose(["+experiment=icgan"], hydra_config=True)
    pattern = r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_\d{6}$"
    assert re.search(pattern, cfg.hydra.run.dir), cfg.hydra.run.dir
    assert re.search(pattern, cfg.hydra.sweep.dir), cfg.hydra.sweep.dir

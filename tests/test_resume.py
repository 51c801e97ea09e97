"""A run killed mid-way and resumed from its last checkpoint ends exactly where an
uninterrupted run with the same seed ends."""

from pathlib import Path

import pytest
import pytorch_lightning as pl

from ganlab.run import train

SHORT = ["+experiment=icgan", "trainer.limit_train_batches=4", "trainer.limit_val_batches=1",
         "method.stages.cgan.trainer.max_epochs=3", "method.stages.encoders.trainer.max_epochs=2",
         "method.evaluate.max_batches=1", "zoo_overrides=['debug=limit']", "logger=csv"]


class Crash(pl.Callback):
    """Stands in for a killed process: dies in the middle of an epoch."""

    def __init__(self, epoch: int, batch: int):
        self.epoch, self.batch = epoch, batch

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        if trainer.current_epoch == self.epoch and batch_idx == self.batch:
            raise RuntimeError("simulated kill")


def test_resume_matches_uninterrupted(compose_cfg, tmp_path):
    reference = train(compose_cfg(*SHORT, cache=tmp_path / "cache_a"))

    crashing = compose_cfg(*SHORT, "+callbacks.crash._target_=tests.test_resume.Crash",
                           "+callbacks.crash.epoch=2", "+callbacks.crash.batch=2", cache=tmp_path / "cache_b")
    with pytest.raises(RuntimeError, match="simulated kill"):
        train(crashing)
    last = Path(crashing.paths.output_dir) / "checkpoints" / "cgan" / "last.ckpt"
    assert last.is_file()

    resumed = train(compose_cfg(*SHORT, f"ckpt_path={last}", cache=tmp_path / "cache_b"))
    for key, value in reference.items():
        if key.startswith("test/"):
            assert resumed[key] == pytest.approx(value, abs=1e-6), key

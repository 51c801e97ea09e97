"""A run killed mid-way and resumed from its last checkpoint ends exactly where an
uninterrupted run with the same seed ends."""

from pathlib import Path

import pytest
import pytorch_lightning as pl

from ganlab.runner.run import train

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


def crash_and_resume(compose_cfg, tmp_path, overrides, stage: str, epoch: int, batch: int, zoo: Path | None = None):
    """Run `overrides` once uninterrupted, once killed at (epoch, batch) and resumed from the
    stage's last.ckpt (separate caches; zoo: one cache for both, where the overrides keep
    stages out of it with cache_stages=false). Returns (reference cfg, its metrics, resumed
    cfg, its metrics, the checkpoint resumed from)."""
    cache_a, cache_b = (zoo, zoo) if zoo else (tmp_path / "cache_a", tmp_path / "cache_b")
    reference_cfg = compose_cfg(*overrides, cache=cache_a)
    reference = train(reference_cfg)
    crashing = compose_cfg(*overrides, "+callbacks.crash._target_=tests.test_resume.Crash",
                           f"+callbacks.crash.epoch={epoch}", f"+callbacks.crash.batch={batch}",
                           cache=cache_b)
    with pytest.raises(RuntimeError, match="simulated kill"):
        train(crashing)
    last = Path(crashing.paths.output_dir) / "checkpoints" / stage / "last.ckpt"
    assert last.is_file()
    resumed_cfg = compose_cfg(*overrides, f"ckpt_path={last}", cache=cache_b)
    return reference_cfg, reference, resumed_cfg, train(resumed_cfg), last


def test_resume_matches_uninterrupted(compose_cfg, tmp_path):
    _, reference, _, resumed, _ = crash_and_resume(compose_cfg, tmp_path, SHORT, "cgan", epoch=2, batch=2)
    for key, value in reference.items():
        if key.startswith("test/"):
            assert resumed[key] == pytest.approx(value, abs=1e-6), key


def test_last_checkpoint_holds_the_final_weights_when_validation_is_sparse(compose_cfg, tmp_path):
    """With validation every 5 epochs of 3, Lightning's own last.ckpt would be missing or
    old; the stage still ends with last.ckpt at its final epoch and weights."""
    import torch

    from ganlab.runner.run import train

    cfg = compose_cfg(*SHORT, "trainer.check_val_every_n_epoch=5", "method.stages.encoders.trainer.max_epochs=3")
    train(cfg)
    last = torch.load(Path(cfg.paths.output_dir) / "checkpoints" / "encoders" / "last.ckpt", weights_only=True)
    assert last["epoch"] == 3  # written after the third and last epoch
    (cached,) = (tmp_path / "cache" / "stages").glob("encoders-*.pt")
    final = torch.load(cached, weights_only=True)["state_dict"]
    assert all(torch.equal(last["state_dict"][k], v) for k, v in final.items())

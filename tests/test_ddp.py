"""trainer=ddp: two CPU processes (gloo) with batch 8 each train what one process with
batch 16 trains: the loaders split each global batch by rank and every module draws its
rank's slice of the global batch's noise; the run writes each file once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch
from hydra.utils import instantiate
from omegaconf import OmegaConf

from ganlab.data.digits import DigitsDataModule
from ganlab.randomness import randn, step_generator

ROOT = Path(__file__).resolve().parents[1]


class NoisyRegression(pl.LightningModule):
    """A separable loss (a mean over samples) on real images plus drawn noise: what DDP
    must reproduce exactly when data and noise are split right."""

    def __init__(self):
        super().__init__()
        self.net = torch.nn.Linear(32 * 32, 10)

    def training_step(self, batch, batch_idx):
        x, y = batch
        noise = randn((x.shape[0], 32 * 32), step_generator(0, self.current_epoch, batch_idx), self.device)
        return (self.net(x.flatten(1) + 0.1 * noise) - y).pow(2).mean()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=1e-3)


def _fit(compose_cfg, tmp_path: Path, name: str, batch_size: int, *trainer_overrides: str) -> dict:
    cfg = compose_cfg(*trainer_overrides, "trainer.max_epochs=2", "trainer.limit_train_batches=5",
                      "trainer.limit_val_batches=0", f"paths.output_dir={tmp_path / name}")
    settings = {k: v for k, v in OmegaConf.to_container(cfg.trainer, resolve=True).items() if v is not None}
    trainer = instantiate(settings, logger=False, enable_checkpointing=False, enable_progress_bar=False)
    pl.seed_everything(0)
    module = NoisyRegression()
    trainer.fit(module, datamodule=DigitsDataModule(batch_size=batch_size, num_workers=0))
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_two_processes_train_exactly_what_one_process_with_the_global_batch_trains(compose_cfg, tmp_path):
    one = _fit(compose_cfg, tmp_path, "one", 16)
    two = _fit(compose_cfg, tmp_path, "two", 8, "trainer=ddp", "trainer.devices=2")
    for key in one:
        torch.testing.assert_close(two[key], one[key], rtol=1e-5, atol=1e-6)  # float reduction order only


@pytest.mark.slow
def test_a_gan_recipe_under_ddp_writes_each_file_once(tmp_path):
    """StyleGAN2 under trainer=ddp runs its stages in two processes, caches the stage, and
    its run folder holds exactly the files a one-process run writes."""
    tiny = ["+experiment=stylegan2_digits", "trainer.limit_train_batches=2", "trainer.limit_val_batches=1",
            "method.stages.stylegan2.trainer.max_epochs=1", "method.evaluate.max_batches=1",
            "method.evaluate.num_samples=32", "zoo_overrides=['debug=fdr']", "callbacks.progress_bar=null"]
    env = {**os.environ, "GANLAB_CACHE": str(tmp_path / "cache")}
    folders = {}
    for name, extra in (("one", ["data.batch_size=16"]), ("two", ["trainer=ddp", "data.batch_size=8"])):
        folders[name] = tmp_path / name
        out = subprocess.run([sys.executable, "train.py", *tiny, *extra, f"hydra.run.dir={folders[name]}"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    files = {name: sorted(str(p.relative_to(f)) for p in f.rglob("*") if p.is_file()) for name, f in folders.items()}
    assert files["two"] == files["one"]
    assert len(list((tmp_path / "cache" / "stages").glob("stylegan2-*.pt"))) == 2

"""HFGI trained in its two stages, as UDA-inversion's authors do: the first trains the e4e
base alone; the second trains the residual branch with the UDA objective and leaves every
tensor of the base bit-identical; `trainable` is validated; the base-image loss is a switch;
a stage's learning rate can decay to 0 over its steps."""

from functools import partial

import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader

from ganlab.data.domains import DomainBatch
from ganlab.losses.f_divergence import PearsonDiscrepancy
from ganlab.losses.offsets import OffsetRegularizer
from ganlab.losses.reconstruction import SquaredError
from ganlab.methods.inversion.source_inversion import SourceInversion
from ganlab.methods.inversion.supervised_inversion import SupervisedInversion
from ganlab.methods.inversion.uda_inversion import UDAInversion
from ganlab.nets.inverters.hfgi import HFGIEncoder
from ganlab.nets.inverters.psp import PSPEncoder
from ganlab.nets.perceptual import LPIPS

from .test_inverters import images_of, tiny_generator

HFGI = partial(HFGIEncoder, width=8, fpn_width=16, max_width=32, consultation_width=8)
ADAM = partial(torch.optim.Adam, lr=1e-2)


def drive(module, batch, steps):
    """Training steps as Lightning runs them, with the module's own optimizers."""
    optimizers = module.configure_optimizers()
    module.optimizers = lambda: optimizers
    module.log_dict = lambda *args, **kwargs: None
    module.manual_backward = lambda loss: loss.backward()
    module.train()
    for _ in range(steps):
        module.training_step(batch, 0)


def snapshot(net):
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def same(before, net):
    return all(torch.equal(before[k], v) for k, v in net.state_dict().items())


@pytest.fixture(scope="module")
def first_stage():
    g = tiny_generator()
    x = images_of(g, 4)
    batch = DomainBatch(x, x.flip(0) * 0.5, x.flip(0))
    module = SourceInversion(g, HFGI, {"l2": SquaredError(1.0), "offset": OffsetRegularizer(0.1)}, ADAM,
                             trainable="base")
    residual = snapshot(module.inverter.consultation)
    base = snapshot(module.inverter.base)
    drive(module, batch, 3)
    assert not same(base, module.inverter.base)
    assert same(residual, module.inverter.consultation)  # the first stage trains the base alone
    return g, module, batch


def test_second_stage_leaves_the_base_bit_identical(first_stage):
    g, first, batch = first_stage
    second = UDAInversion(g, first, {"l2": SquaredError(1.0),
                                     "discrepancy": PearsonDiscrepancy(LPIPS("none"), 1.0)},
                          ADAM, ADAM, trainable="residual", base_image_loss=False)
    assert second.inverter is first.inverter  # built on the first stage's trained inverter
    base, residual = snapshot(second.inverter.base), snapshot(second.inverter.consultation)
    drive(second, batch, 3)
    assert same(base, second.inverter.base)  # every tensor, buffers included
    assert not same(residual, second.inverter.consultation)
    trained = {id(p) for group in second.configure_optimizers()[0].param_groups for p in group["params"]}
    assert trained == {id(p) for p in second.inverter.consultation.parameters()}


def test_paired_second_stage_leaves_the_base_bit_identical(first_stage):
    g, first, batch = first_stage
    second = SupervisedInversion(g, first, {"l2": SquaredError(1.0)}, ADAM, trainable="residual",
                                 base_image_loss=False)
    base = snapshot(second.inverter.base)
    drive(second, batch, 2)
    assert same(base, second.inverter.base)


def test_base_image_loss_is_a_switch(first_stage):
    g, first, batch = first_stage
    with_base = SupervisedInversion(g, first, {"l2": SquaredError(1.0)}, ADAM)
    without = SupervisedInversion(g, first, {"l2": SquaredError(1.0)}, ADAM, base_image_loss=False)
    with torch.no_grad():
        inversion = first.inverter(batch.source, g)
        fused = float(SquaredError(1.0)(batch.source, inversion.image))
        base = float(SquaredError(1.0)(batch.source, inversion.base_image))
        assert float(without.reconstruction_loss(batch.source, inversion)[0]) == pytest.approx(fused)
        assert float(with_base.reconstruction_loss(batch.source, inversion)[0]) == pytest.approx(fused + base)


def test_trainable_is_validated(first_stage):
    g, first, _ = first_stage
    with pytest.raises(ValueError, match="trainable must be one of \\('all', 'base', 'residual'\\), got 'decoder'"):
        SourceInversion(g, HFGI, {"l2": SquaredError(1.0)}, ADAM, trainable="decoder")
    with pytest.raises(ValueError, match="trainable='residual' needs an inverter with an e4e base"):
        SourceInversion(g, partial(PSPEncoder, width=8, fpn_width=16), {"l2": SquaredError(1.0)}, ADAM,
                        trainable="residual")
    with pytest.raises(ValueError, match="loss \\['offset'\\] trains nothing"):
        SupervisedInversion(g, first, {"l2": SquaredError(1.0), "offset": OffsetRegularizer(0.1)}, ADAM,
                            trainable="residual")


@pytest.mark.parametrize("module,reason", [(SourceInversion, "needs the target domain"),
                                           (SupervisedInversion, "belongs to UDA-inversion")])
def test_stages_without_the_target_domain_refuse_the_discrepancy(module, reason):
    with pytest.raises(ValueError, match=reason):
        module(generator=None, inverter=None, losses={"discrepancy": None}, optimizer=None)


class FourBatches(pl.LightningDataModule):
    def __init__(self, batch):
        super().__init__()
        self.batch, self.image_size = batch, batch.source.shape[-1]

    def train_dataloader(self):
        return DataLoader([self.batch] * 4, batch_size=None)


@pytest.mark.parametrize("decay,last_lr", [("none", 1e-2), ("cosine", 0.0)])
def test_lr_decay_runs_the_rate_down_over_the_stage(first_stage, decay, last_lr):
    g, _, batch = first_stage
    module = SourceInversion(g, HFGI, {"l2": SquaredError(1.0)}, ADAM, trainable="base", lr_decay=decay)
    trainer = pl.Trainer(max_epochs=1, limit_val_batches=0, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(module, datamodule=FourBatches(batch))
    assert trainer.global_step == 4
    assert module.optimizers().param_groups[0]["lr"] == pytest.approx(last_lr, abs=1e-12)


def test_an_unknown_lr_decay_is_refused(first_stage):
    g, _, _ = first_stage
    with pytest.raises(ValueError, match="lr_decay must be one of \\('none', 'cosine'\\), got 'step'"):
        SourceInversion(g, HFGI, {"l2": SquaredError(1.0)}, ADAM, lr_decay="step")

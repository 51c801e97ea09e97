"""The framework's unconditional DCGAN: the cGAN module with y_dim 0 (fid_report's baseline)."""

import pytest
import pytorch_lightning as pl
import torch

from ganlab.data.synthfaces import SynthFacesDataModule
from ganlab.methods.gans.cgan import ConditionalGAN
from ganlab.nets.dcgan import DCGANDiscriminator, DCGANGenerator


def _gan() -> ConditionalGAN:
    """A tiny unconditional DCGAN (y_dim 0)."""
    torch.manual_seed(0)
    adam = lambda p: torch.optim.Adam(p, lr=2e-4, betas=(0.5, 0.999))
    return ConditionalGAN(DCGANGenerator(z_dim=8, y_dim=0, image_size=32, channels=3, width=8),
                          DCGANDiscriminator(y_dim=0, image_size=32, channels=3, width=8), adam, adam)


def test_unconditional_gan_trains_on_labelled_data_and_ignores_the_labels():
    gan = _gan()
    before = [p.detach().clone() for p in gan.generator.parameters()]
    pl.Trainer(max_steps=2, logger=False, enable_checkpointing=False, enable_progress_bar=False,
               enable_model_summary=False, accelerator="cpu").fit(
        gan, datamodule=SynthFacesDataModule(image_size=32, num_images=64, batch_size=16))
    assert any(not torch.equal(a, b) for a, b in zip(before, gan.generator.parameters()))
    assert gan.label_prior.shape == (0, 0)  # nothing of the 12 attributes was kept
    images = gan.sample(5, seed=3)
    assert images.shape == (5, 3, 32, 32) and images.abs().max() <= 1


def test_sampling_in_batches_gives_the_same_images():
    gan = _gan()
    assert torch.allclose(gan.sample(7, seed=1), gan.sample(7, seed=1, batch_size=3), atol=1e-6)
    assert not torch.allclose(gan.sample(7, seed=1), gan.sample(7, seed=2))


def test_unconditional_sample_grid_shows_different_draws():
    grid, _ = _gan().sample_grid()
    images, cols = grid.images, grid.ncols
    assert images.shape == (64, 3, 32, 32) and cols == 8
    assert not torch.allclose(images[0], images[1])  # not one z repeated along the row


def test_label_frequency_evaluation_refuses_truncation_for_a_dcgan(tmp_path):
    from ganlab.evaluation.stylegan2 import StyleGAN2Evaluation

    with pytest.raises(ValueError, match="only StyleGAN2 stages truncate"):
        StyleGAN2Evaluation(classifier=None, generator_stage="gan", truncation=0.7)({"gan": _gan()}, None, tmp_path)

"""The attribute-invariant identity net (the judge of synthfaces edits): after a short
training, one person under other attributes scores above two people; the factor head
still regresses; a net without room for an embedding is refused."""

import pytest
import pytorch_lightning as pl
import torch

from ganlab.data.synthfaces import SynthFacesDataModule, sample_attributes, sample_identity
from ganlab.methods.judges.identity_invariant import InvariantIdentityNet
from ganlab.nets.encoders import ConvEncoder
from ganlab.randomness import step_generator


def _net(out_dim: int = 16 + 32) -> InvariantIdentityNet:
    torch.manual_seed(0)
    return InvariantIdentityNet(ConvEncoder(out_dim, image_size=32, channels=3, width=16),
                                lambda p: torch.optim.Adam(p, lr=2e-3), image_size=32)


def test_same_identity_under_new_attributes_scores_above_other_identities():
    net, data = _net(), SynthFacesDataModule(image_size=32, num_images=1024, target="identity", batch_size=64)
    pl.Trainer(max_epochs=6, logger=False, enable_checkpointing=False, enable_progress_bar=False,
               enable_model_summary=False, accelerator="cpu", num_sanity_val_steps=0).fit(net, datamodule=data)
    g = torch.Generator().manual_seed(7)
    ident = sample_identity(256, g)
    before, after = data.render(sample_attributes(256, g), ident), data.render(sample_attributes(256, g), ident)
    same = net.similarity(before, after)
    other = net.similarity(before, after.roll(1, 0))
    assert same.mean() > other.mean() + 0.6, (same.mean(), other.mean())  # without the InfoNCE term: 0.53 vs 0.24
    assert net(before).shape == (256, 16)  # the factor head, for R^2
    assert net.embed(before).norm(dim=1).sub(1).abs().max() < 1e-5


def test_the_training_pairs_are_drawn_again_identically():
    net, factors = _net(), sample_identity(4, torch.Generator().manual_seed(0))
    first = net._same_people(factors, step_generator(0, 1, 2))
    assert torch.equal(first, net._same_people(factors, step_generator(0, 1, 2)))  # resume draws the same pairs
    assert not torch.equal(first, net._same_people(factors, step_generator(0, 1, 3)))


def test_a_net_without_an_embedding_is_refused():
    with pytest.raises(ValueError, match="out_dim > 16"):
        _net(out_dim=16)

"""Domains for UDA-inversion: disjoint source / target halves of the training images,
target degraded, unpaired in training; val / test paired (HQ, LQ) and fixed."""

import pytest
import torch

from ganlab.data.degradations import FreeFormMask
from ganlab.data.domains import DomainBatch, DomainDataModule
from ganlab.data.synthfaces import SynthFacesDataModule


@pytest.fixture(scope="module")
def domains():
    data = DomainDataModule(SynthFacesDataModule(num_images=100, batch_size=8), FreeFormMask(), seed=0)
    data.setup()
    return data


def rows(images: torch.Tensor) -> set:
    return {tuple(x.flatten()[::7].tolist()) for x in images}


def test_source_and_target_are_disjoint_halves(domains):
    train = domains.split("train")
    n_source, n_target = domains.domain_sizes()
    assert n_source + n_target == len(train) and abs(n_source - n_target) <= 1
    pairs = domains._train_pairs()
    sources = torch.stack([pairs[i][0] for i in range(len(pairs))])
    targets = torch.stack([pairs[i][1] for i in range(len(pairs))])
    assert rows(sources) == rows(train[torch.arange(n_source)][0])
    assert rows(targets) <= rows(train[torch.arange(n_source, len(train))][0])
    assert not rows(sources) & rows(targets)


def test_training_batches_are_unpaired_and_the_target_degraded(domains):
    raw = next(iter(domains.train_dataloader()))
    batch = domains.on_after_batch_transfer(raw, 0)
    assert isinstance(batch, DomainBatch) and batch.source.shape == batch.target.shape == (8, 3, 32, 32)
    assert not torch.equal(batch.target, batch.target_clean)
    assert not rows(batch.source) & rows(batch.target_clean)
    again = domains.on_after_batch_transfer(raw, 0)
    assert torch.equal(again.target, batch.target), "a batch's degradation is fixed by its images"


def test_test_pairs_are_fixed_and_paired(domains):
    first = list(domains.pairs("test", 10, batch_size=4))
    second = list(domains.pairs("test", 10, batch_size=4))
    clean = torch.cat([b.source for b in first])
    assert torch.equal(clean, domains.split("test")[torch.arange(10)][0])
    assert all(torch.equal(a.target, b.target) for a, b in zip(first, second))
    assert all(torch.equal(b.source, b.target_clean) and not torch.equal(b.source, b.target) for b in first)
    loader_batch = domains.on_after_batch_transfer(next(iter(domains.test_dataloader())), 0)
    assert torch.equal(loader_batch.source, loader_batch.target_clean)


def test_bad_fraction():
    with pytest.raises(ValueError, match="source_fraction"):
        DomainDataModule(SynthFacesDataModule(num_images=20), FreeFormMask(), source_fraction=1.0)

"""ganlab.metrics.counterfactual.edit_along: an edit's change split into the attribute's change
and the rest."""

from __future__ import annotations

import pytest
import torch

from ganlab.metrics.counterfactual import edit_along


def images(seed: int) -> torch.Tensor:
    return torch.rand(6, 3, 8, 8, generator=torch.Generator().manual_seed(seed)) - 0.5


def test_an_edit_adding_part_of_the_change_and_noise_is_split_into_both():
    source, recon = images(0), images(1)
    target = source + 0.3 * images(2)
    noise = 0.1 * images(3)
    wanted = (target - source).flatten(1)
    noise = noise - ((noise.flatten(1) * wanted).sum(1) / wanted.pow(2).sum(1))[:, None, None, None] * (target - source)
    edited = recon + 0.4 * (target - source) + noise
    along, elsewhere = edit_along(edited, recon, source, target)
    assert along == pytest.approx(torch.full((6,), 0.4), abs=1e-5)
    # RMSE in [0, 1] units is half the RMSE of [-1, 1] images
    assert elsewhere == pytest.approx(noise.flatten(1).pow(2).mean(1).sqrt() / 2, abs=1e-6)


def test_an_edit_that_changes_nothing_adds_nothing():
    source, recon = images(0), images(1)
    along, elsewhere = edit_along(recon, recon, source, source + 0.2)
    assert torch.equal(along, torch.zeros(6)) and torch.equal(elsewhere, torch.zeros(6))

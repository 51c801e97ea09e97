"""scripts/reproduce/linear_edit_ceiling.py: the one step per W+ layer that true pairs give."""

from __future__ import annotations

import pytest
import torch

from .conftest import load_script

ceiling = load_script("reproduce/linear_edit_ceiling.py")


def test_each_image_gets_the_mean_change_toward_the_attribute_of_the_other_fold():
    codes = torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0))
    toward = torch.arange(5.0)[:, None, None] * torch.ones(1, 3, 4)  # image i's change: i everywhere
    signs = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0])
    answers = codes + toward * signs[:, None, None]  # removing an attribute moves the other way
    steps = ceiling.paired_steps(codes, answers, signs)
    assert torch.allclose(steps[[0, 2, 4]], torch.full((3, 3, 4), (1 + 3) / 2))  # even: the odd images'
    assert torch.allclose(steps[[1, 3]], torch.full((2, 3, 4), (0 + 2 + 4) / 3))  # odd: the even ones'


def test_a_pair_never_enters_its_own_step():
    codes = torch.zeros(4, 2, 3)
    answers = codes.clone()
    answers[0] = 100.0
    steps = ceiling.paired_steps(codes, answers, torch.ones(4))
    assert torch.equal(steps[0], torch.zeros(2, 3)) and torch.equal(steps[2], torch.zeros(2, 3))
    assert torch.allclose(steps[1], torch.full((2, 3), 50.0))


def test_one_image_has_no_other_fold():
    with pytest.raises(ValueError, match="two folds"):
        ceiling.paired_steps(torch.zeros(1, 2, 3), torch.ones(1, 2, 3), torch.ones(1))


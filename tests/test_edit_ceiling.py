"""ganlab.evaluation.edit_ceiling: the one step per W+ layer that true pairs give, and how
the steps compared with it are scored against the counterfactual."""

from __future__ import annotations

import pytest
import torch

from ganlab.evaluation.edit_ceiling import ceiling_steps, paired_steps, score_steps
from ganlab.nets.inverters.base import Inversion
from ganlab.nets.stylegan2 import Generator


def test_each_image_gets_the_mean_change_toward_the_attribute_of_the_other_fold():
    codes = torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0))
    toward = torch.arange(5.0)[:, None, None] * torch.ones(1, 3, 4)  # image i's change: i everywhere
    signs = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0])
    answers = codes + toward * signs[:, None, None]  # removing an attribute moves the other way
    steps = paired_steps(codes, answers, signs)
    assert torch.allclose(steps[[0, 2, 4]], torch.full((3, 3, 4), (1 + 3) / 2))  # even: the odd images'
    assert torch.allclose(steps[[1, 3]], torch.full((2, 3, 4), (0 + 2 + 4) / 3))  # odd: the even ones'


def test_a_pair_never_enters_its_own_step():
    codes = torch.zeros(4, 2, 3)
    answers = codes.clone()
    answers[0] = 100.0
    steps = paired_steps(codes, answers, torch.ones(4))
    assert torch.equal(steps[0], torch.zeros(2, 3)) and torch.equal(steps[2], torch.zeros(2, 3))
    assert torch.allclose(steps[1], torch.full((2, 3), 50.0))


def test_one_image_has_no_other_fold():
    with pytest.raises(ValueError, match="two folds"):
        paired_steps(torch.zeros(1, 2, 3), torch.ones(1, 2, 3), torch.ones(1))


def test_when_every_pair_shares_one_change_the_paired_step_is_the_oracle_and_reaches_each_counterfactual():
    torch.manual_seed(0)
    generator = Generator(16, style_dim=8, n_mlp=1, channels=8).eval()
    codes = torch.randn(6, generator.n_latent, 8)
    signs = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0, 1.0])
    answers = codes + 0.3 * torch.randn(generator.n_latent, 8) * signs[:, None, None]
    with torch.no_grad():
        sources, truths = generator.synthesis(codes), generator.synthesis(answers)
        inversions = [Inversion(c, generator.synthesis(c)) for c in codes.split(3)]
        steps = ceiling_steps(codes, answers, signs, {"none": torch.zeros_like(codes)})
        assert torch.allclose(steps["paired W+"], steps["oracle"], atol=1e-5)
        rows = score_steps(inversions, generator, steps, list(sources.split(3)), list(truths.split(3)))
    assert list(rows) == ["none", "paired W+", "paired W", "oracle"]
    for label in ("paired W+", "oracle"):
        assert rows[label]["moved"] == 1.0 and rows[label]["along"] == pytest.approx(1.0, abs=1e-4)
    assert rows["paired W+"]["wrong sign"] == 0.0  # reversed, the small step moves away
    assert rows["oracle"]["wrong sign"] != rows["oracle"]["wrong sign"]  # nan: no single step to reverse
    assert rows["none"] == {"moved": 0.0, "wrong sign": 0.0, "along": 0.0}

"""scripts/reproduce/noise_attributes.py: what a generator's noise inputs decide."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.stylegan2 import Generator

from .conftest import load_script

noise_attributes = load_script("reproduce/noise_attributes.py")


def generator_and_judge() -> tuple[Generator, nn.Module]:
    torch.manual_seed(0)
    generator = Generator(16, style_dim=16, n_mlp=1, channels=8).eval()
    judge = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 4))
    return generator, judge


def test_only_a_layer_whose_noise_is_added_decides_anything():
    generator, judge = generator_and_judge()
    changes = noise_attributes.decision_changes(generator, judge, 64, 16)
    assert torch.equal(changes, torch.zeros(4))  # fresh: every noise strength is 0
    generator.convs[1].noise.weight.data.fill_(3.0)  # layer 2, 8 px
    for layers in (None, [2]):
        assert noise_attributes.decision_changes(generator, judge, 64, 16, layers).max() > 0.1
    for layer in (0, 1, 3, 4):
        assert torch.equal(noise_attributes.decision_changes(generator, judge, 64, 16, [layer]), torch.zeros(4))

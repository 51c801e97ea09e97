"""scripts/reproduce/inversion_attributes_kept.py: which attributes an encoder's inversions keep."""

from __future__ import annotations

from types import SimpleNamespace

import torch
from torch import nn

from .conftest import load_script

kept_script = load_script("reproduce/inversion_attributes_kept.py")


class Encoder(nn.Module):
    def __init__(self, invert):
        super().__init__()
        self.invert = invert

    def forward(self, x):
        return SimpleNamespace(image=self.invert(x))


class BrightnessJudge:
    """Attribute 0: the image is bright; attribute 1: its left half is bright."""

    def predict(self, x, batch_size=None):
        return torch.stack([x.mean((1, 2, 3)) > 0, x[..., :8].mean((1, 2, 3)) > 0], 1).float()


def test_a_lossless_encoder_keeps_every_verdict_and_a_blank_one_loses_the_positives():
    images = torch.rand(40, 3, 16, 16, generator=torch.Generator().manual_seed(0)) * 2 - 1
    images[:20] += 0.5  # bright faces: attribute 0 on
    judge = BrightnessJudge()
    labels = judge.predict(images)
    kept, positives = kept_script.attributes_kept(Encoder(lambda x: x), judge, images, labels, batch_size=16)
    assert torch.equal(kept, torch.ones(2)) and torch.equal(positives, torch.ones(2))
    kept, positives = kept_script.attributes_kept(Encoder(lambda x: -torch.ones_like(x)), judge, images, labels)
    torch.testing.assert_close(kept, 1 - labels.mean(0))  # only the negatives keep their verdict
    assert torch.equal(positives, torch.zeros(2))

"""Degradations: seeded, shape- and range-preserving, visibly degrading, per image, on the
data's device; the mix draws one kind per image."""

import pytest
import torch

from ganlab.data.degradations import Downsample, FreeFormMask, MixedDegradation, Rain
from ganlab.data.synthfaces import SynthFacesDataModule

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
KINDS = {"rain": Rain, "mask": FreeFormMask, "downsample": Downsample}


@pytest.fixture(scope="module")
def faces():
    data = SynthFacesDataModule(num_images=40, batch_size=8)
    return data.split("train")[torch.arange(16)][0]


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("device", DEVICES)
def test_degradation_is_seeded_and_keeps_shape_range_device(faces, kind, device):
    degrade, x = KINDS[kind](), faces.to(device)
    out = degrade(x, seeded(0))
    assert out.shape == x.shape and out.dtype == x.dtype and out.device == x.device
    assert out.min() >= -1 and out.max() <= 1
    assert torch.equal(out, degrade(x, seeded(0)))
    assert (out - x).abs().mean() > 0.02, f"{kind} barely changes the images"
    if kind != "downsample":  # the only deterministic one
        assert not torch.equal(out, degrade(x, seeded(1)))
        twins = degrade(x[:1].expand(4, -1, -1, -1).contiguous(), seeded(0))
        assert not torch.equal(twins[0], twins[1]), "every image of a batch must get its own draw"


def test_downsample_removes_the_finest_detail():
    checker = (torch.arange(32)[:, None] + torch.arange(32)[None]) % 2 * 2.0 - 1
    out = Downsample(2)(checker.expand(1, 3, 32, 32), None)
    assert out.std() < 0.2 * checker.std()


def test_mix_draws_one_kind_per_image():
    """On flat grey images: down-sampling leaves them flat, the mask paints pixels white
    (1.0) and rain writes kornia's drop value (200/255 -> 0.569 in [-1, 1])."""
    mix = MixedDegradation({"rain": Rain(), "mask": FreeFormMask(fill=1.0), "downsample": Downsample()})
    out = mix(torch.zeros(48, 3, 32, 32), seeded(3))
    masked = (out == 1.0).flatten(1).any(1)
    rained = ((out - (200 / 255 * 2 - 1)).abs() < 1e-5).flatten(1).any(1)
    flat = (out == 0).flatten(1).all(1)
    assert bool((masked.int() + rained.int() + flat.int() == 1).all())
    assert masked.any() and rained.any() and flat.any()


def test_bad_settings_fail_with_the_key():
    with pytest.raises(ValueError, match="degradation.density"):
        Rain(density=[0.5, 0.1])
    with pytest.raises(ValueError, match="degradation.factor"):
        Downsample(1)
    with pytest.raises(ValueError, match="degradation.choices"):
        MixedDegradation({})

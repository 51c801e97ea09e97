"""Datasets: embedded sets (splits, labels, synthfaces semantics) and real loaders on tiny
folders written in the published formats; missing folders and corrupt files are named."""

from __future__ import annotations

import pytest
import torch

from ganlab.data.augment import random_shift
from ganlab.data.celeba import CelebADataModule
from ganlab.data.digits import DigitsDataModule
from ganlab.data.image_files import CorruptImageError
from ganlab.data.image_folder import ImageFolderDataModule
from ganlab.data.mnist import MNISTDataModule
from ganlab.data.multidigits import MultiDigitsDataModule
from ganlab.data.synthfaces import (
    ATTRIBUTES,
    SynthFacesDataModule,
    render,
    sample_attributes,
    sample_identity,
    set_attribute,
)

from .data_files import write_celeba, write_image_folder, write_mnist


def test_digits_splits_are_disjoint_seeded_and_one_hot():
    dm = DigitsDataModule(image_size=32)
    dm.setup()
    sizes = [len(dm.split(s)) for s in ("train", "val", "test")]
    assert sum(sizes) == 1797 and sizes[0] == 1258
    x, y = dm.split("train")[torch.arange(5)]
    assert x.shape == (5, 1, 32, 32) and x.min() >= -1 and x.max() <= 1
    assert torch.equal(y.sum(1), torch.ones(5))
    again = DigitsDataModule(image_size=32)
    assert torch.equal(again.split("test")[torch.arange(5)][0], dm.split("test")[torch.arange(5)][0])
    other = DigitsDataModule(image_size=32, seed=1)
    assert not torch.equal(other.split("test")[torch.arange(5)][0], dm.split("test")[torch.arange(5)][0])


def test_shuffling_depends_on_seed_and_epoch_only():
    dm = DigitsDataModule(batch_size=16)
    loader = dm.train_dataloader()
    first = next(iter(loader))[1]
    loader.sampler.set_epoch(3)
    third = next(iter(loader))[1]
    fresh = DigitsDataModule(batch_size=16).train_dataloader()
    fresh.sampler.set_epoch(3)
    assert torch.equal(next(iter(fresh))[1], third) and not torch.equal(first, third)


def test_multidigits_count_matches_ink_blobs():
    dm = MultiDigitsDataModule(image_size=32, num_images=300)
    x, y = dm.split("train")[torch.arange(len(dm.split("train")))]
    counts = y.argmax(1) + 1
    assert set(counts.tolist()) == {1, 2, 3, 4}
    # Each digit sits in its own cell: the number of occupied 16x16 cells is the label.
    ink = (x[:, 0] > -0.5).view(-1, 2, 16, 2, 16).any(4).any(2)
    assert torch.equal(ink.flatten(1).sum(1), counts)


def test_multidigits_row_layout_fills_slots_left_to_right():
    dm = MultiDigitsDataModule(image_size=32, num_images=300, layout="row")
    x, y = dm.split("train")[torch.arange(len(dm.split("train")))]
    counts = y.argmax(1) + 1
    assert set(counts.tolist()) == {1, 2, 3, 4} and dm.digit_size == 8
    # four 8-px slots across the 16-px middle band: slot k is inked iff k < count
    ink = x[:, 0] > -0.5
    assert not ink[:, :8].any() and not ink[:, 24:].any()
    slots = ink[:, 8:24].view(-1, 16, 4, 8).any(3).any(1)
    assert torch.equal(slots, torch.arange(4) < counts[:, None])


def test_multidigits_layout_is_validated():
    with pytest.raises(ValueError, match="data.layout"):
        MultiDigitsDataModule(layout="diagonal")
    with pytest.raises(ValueError, match="data.layout=row"):
        MultiDigitsDataModule(layout="row", digit_size=12).split("train")


def test_synthfaces_prevalence_correlation_and_determinism():
    g = torch.Generator().manual_seed(0)
    attrs = sample_attributes(20000, g)
    rate = dict(zip(ATTRIBUTES, attrs.mean(0).tolist()))
    for name in ("Eyeglasses", "Pale_Skin", "Wearing_Hat"):
        assert rate[name] <= 0.06 + 0.005, (name, rate[name])
    assert 0.35 < rate["Male"] < 0.45 and 0.7 < rate["Young"] < 0.8
    col = {n: i for i, n in enumerate(ATTRIBUTES)}
    rho = torch.corrcoef(attrs[:, [col["Smiling"], col["Mouth_Slightly_Open"]]].T)[0, 1]
    assert rho >= 0.5
    blond = set_attribute(attrs[:4], "Blond_Hair", 1.0)
    assert blond[:, col["Black_Hair"]].sum() == 0 and blond[:, col["Blond_Hair"]].min() == 1
    male = attrs[:, col["Male"]] == 1
    assert attrs[male, col["Heavy_Makeup"]].sum() == 0 and attrs[~male, col["No_Beard"]].min() == 1
    assert attrs[male, col["Blond_Hair"]].mean() < 0.05 < attrs[~male, col["Blond_Hair"]].mean()
    ident = sample_identity(8, g)
    assert torch.equal(render(attrs[:8], ident, 32), render(attrs[:8], ident, 32))


@pytest.mark.parametrize("attribute", ATTRIBUTES)
def test_synthfaces_counterfactual_changes_the_image(attribute):
    g = torch.Generator().manual_seed(1)
    attrs, ident = sample_attributes(64, g), sample_identity(64, g)
    k = ATTRIBUTES.index(attribute)
    flipped = set_attribute(attrs, attribute, 1 - attrs[:, k])
    change = (render(attrs, ident, 32) - render(flipped, ident, 32)).abs().amax(1)
    # visible (some pixel moves by > 10 % of the range) in every image, but local
    assert (change.flatten(1).amax(1) > 0.1).all(), attribute
    assert (change > 0.02).float().mean() < 0.5, attribute


def test_synthfaces_datamodule_labels_and_factors():
    dm = SynthFacesDataModule(num_images=400, attributes=["Eyeglasses", "Male"])
    x, y = dm.split("val")[torch.arange(4)]
    attrs, ident = dm.factors("val")
    assert y.shape == (4, 2) and torch.equal(y[:, 0], attrs[:4, ATTRIBUTES.index("Eyeglasses")])
    torch.testing.assert_close(dm.render(attrs[:4], ident[:4]), x)
    with pytest.raises(ValueError, match="Smile"):
        SynthFacesDataModule(attributes=["Smile"])


def test_random_shift_moves_each_image_by_its_own_offset():
    x = torch.zeros(64, 1, 9, 9)
    x[:, :, 4, 4] = 1
    shifted = random_shift(x, 2, torch.Generator().manual_seed(0))
    where = shifted[:, 0].flatten(1).argmax(1)
    rows, cols = where // 9, where % 9
    assert rows.min() >= 2 and rows.max() <= 6 and cols.min() >= 2 and cols.max() <= 6
    assert len(set(zip(rows.tolist(), cols.tolist()))) > 10


def test_mnist_reads_idx_files(tmp_path):
    dm = MNISTDataModule(root=str(write_mnist(tmp_path)), val_size=8)
    dm.setup()
    assert [len(dm.split(s)) for s in ("train", "val", "test")] == [32, 8, 10]
    x, y = dm.split("test")[torch.arange(3)]
    assert x.shape == (3, 1, 32, 32) and y.argmax(1).tolist() == [0, 1, 2]


def test_celeba_reads_published_layout(tmp_path):
    root = write_celeba(tmp_path / "celeba")
    dm = CelebADataModule(root=str(root), attributes=["Smiling", "Male"], image_size=32)
    dm.setup()
    assert [len(dm.split(s)) for s in ("train", "val", "test")] == [8, 2, 2]
    x, y = dm.split("train")[torch.arange(2)]
    assert x.shape == (2, 3, 32, 32) and y.shape == (2, 2) and set(y.unique().tolist()) <= {0.0, 1.0}
    lines = (root / "list_attr_celeba.txt").read_text().splitlines()
    names = lines[1].split()
    first = lines[2].split()
    assert y[0].tolist() == [float(first[1 + names.index(a)] == "1") for a in ("Smiling", "Male")]
    assert CelebADataModule(root=str(root)).label_spec.dim == 0  # all 40 once set up
    full = CelebADataModule(root=str(root))
    full.setup()
    assert full.label_spec.dim == 40


def test_image_folder_and_corrupt_file_named(tmp_path):
    root = write_image_folder(tmp_path / "ffhq")
    dm = ImageFolderDataModule(root=str(root), image_size=16, splits=[0.8, 0.1, 0.1], num_workers=0)
    x, y = dm.split("train")[torch.arange(4)]
    assert x.shape == (4, 3, 16, 16) and y.shape == (4, 0)
    bad = root / "01000" / "broken.png"
    bad.write_bytes(b"not a png")
    dm = ImageFolderDataModule(root=str(root), image_size=16, splits=[0.0, 0.0, 1.0], num_workers=0)
    with pytest.raises(ValueError, match="empty split"):
        dm.setup()
    dm = ImageFolderDataModule(root=str(root), image_size=16, splits=[0.5, 0.25, 0.25], num_workers=0)
    with pytest.raises(CorruptImageError, match="broken.png"):
        for name in ("train", "val", "test"):
            for _ in getattr(dm, f"{name}_dataloader")():
                pass


@pytest.mark.parametrize("module, kwargs, layout", [
    (MNISTDataModule, {}, "MNIST/raw/train-images-idx3-ubyte"),
    (CelebADataModule, {}, "list_attr_celeba.txt"),
    (ImageFolderDataModule, {}, "images1024x1024"),
])
def test_missing_folder_names_path_layout_and_source(tmp_path, module, kwargs, layout):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as err:
        module(root=str(missing), **kwargs).setup()
    msg = str(err.value)
    assert str(missing) in msg and layout in msg and "Get it from" in msg or "Expected layout" in msg


def test_celeba_missing_annotation_file_is_named(tmp_path):
    root = write_celeba(tmp_path / "celeba", n=6)
    (root / "list_eval_partition.txt").unlink()
    with pytest.raises(FileNotFoundError, match="list_eval_partition.txt is missing"):
        CelebADataModule(root=str(root)).setup()

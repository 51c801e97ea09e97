"""Two image domains made from one dataset, as UDA-inversion trains and scores them.

- source: the first `source_fraction` of the training split, kept high-quality (HQ);
- target: the rest of the training split, degraded (LQ). Source and target images are
  different pictures, so training sees them unpaired;
- val / test: every image as a pair (HQ, LQ), so an inversion of the LQ image can be
  scored against the clean one.

Every batch is a `DomainBatch(source, target, target_clean)`: in training `source` is an
HQ source image, `target` an LQ target image and `target_clean` that target before it was
degraded (only supervised baselines may look at it); in val / test all three show the
same picture (HQ, LQ, HQ). Degradations run on the device, batched, after the transfer;
each batch draws them from a generator seeded by `seed` and the keys (split, index) of its
images, so the same batch always gets the same LQ images (a resumed run included), and
the paired test set is the same for every run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from ganlab.data.base import ImageDataModule, train_loader, trainer_epoch
from ganlab.data.degradations.base import Degradation

SPLIT_KEYS = {"train": 0, "val": 1, "test": 2}


class DomainBatch(NamedTuple):
    source: torch.Tensor
    target: torch.Tensor
    target_clean: torch.Tensor


class _Pairs(Dataset):
    """Item i -> (first[i] image, second[i] image, degradation key of second[i])."""

    def __init__(self, first: Dataset, second: Dataset, split: str, offset: int = 0):
        self.first, self.second, self.split_key, self.offset = first, second, SPLIT_KEYS[split], offset

    def __len__(self) -> int:
        return min(len(self.first), len(self.second))

    def __getitem__(self, i: int):
        return self.first[i][0], self.second[i][0], self.split_key << 40 | (self.offset + i)


class _Subset(Dataset):
    def __init__(self, data: Dataset, start: int, stop: int):
        self.data, self.start, self.stop = data, start, stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, i: int):
        return self.data[self.start + i]


class DomainDataModule(pl.LightningDataModule):
    def __init__(self, images: ImageDataModule, degradation: Degradation, source_fraction: float = 0.5,
                 seed: int = 0):
        """images: any ganlab image datamodule; seed: fixes the degradations (kept apart from
        the run's seed so every run of a sweep is scored on the same LQ test images)."""
        super().__init__()
        if not 0 < source_fraction < 1:
            raise ValueError(f"domains.source_fraction must be in (0, 1), got {source_fraction}")
        self.images, self.degradation = images, degradation
        self.source_fraction, self.seed = source_fraction, seed
        self.label_spec, self.channels, self.image_size = images.label_spec, images.channels, images.image_size
        self.batch_size, self.num_workers = images.batch_size, images.num_workers

    def setup(self, stage: str | None = None) -> None:
        self.images.setup(stage)
        n = len(self.images.split("train"))
        if n < 2:
            raise ValueError(f"domains: the training split has {n} image(s); need >= 2 for source and target")

    # What recipes and evaluations read from any datamodule.
    def split(self, name: str) -> Dataset:
        return self.images.split(name)

    def labels(self, name: str) -> torch.Tensor:
        return self.images.labels(name)

    def train_labels(self) -> torch.Tensor:
        return self.images.train_labels()

    def domain_sizes(self) -> tuple[int, int]:
        n = len(self.images.split("train"))
        n_source = min(n - 1, max(1, int(round(self.source_fraction * n))))
        return n_source, n - n_source

    def _train_pairs(self) -> _Pairs:
        train = self.images.split("train")
        n_source, _ = self.domain_sizes()
        return _Pairs(_Subset(train, 0, n_source), _Subset(train, n_source, len(train)), "train", n_source)

    def _loader(self, data: Dataset, shuffle: bool) -> DataLoader:
        workers = {"num_workers": self.num_workers, "persistent_workers": self.num_workers > 0}
        if not shuffle:
            return DataLoader(data, batch_size=self.batch_size, **workers)
        return train_loader(data, self.batch_size, self.images.seed, trainer_epoch(self),
                            drop_last=len(data) >= self.batch_size, **workers)

    def train_dataloader(self) -> DataLoader:
        return self._loader(self._train_pairs(), shuffle=True)

    def val_dataloader(self) -> DataLoader:
        val = self.images.split("val")
        return self._loader(_Pairs(val, val, "val"), shuffle=False)

    def test_dataloader(self) -> DataLoader:
        test = self.images.split("test")
        return self._loader(_Pairs(test, test, "test"), shuffle=False)

    def degrade(self, images: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """The LQ version of a batch, fixed by `seed` and the images' keys."""
        g = torch.Generator().manual_seed(hash((self.seed, *keys.tolist())) & (2**63 - 1))
        return self.degradation(images, g)

    def on_after_batch_transfer(self, batch, dataloader_idx: int) -> DomainBatch:
        first, second, keys = batch
        return DomainBatch(first, self.degrade(second, keys), second)

    def pairs(self, split: str, count: int | None = None, batch_size: int = 64) -> Iterator[DomainBatch]:
        """(HQ, LQ, HQ) batches of the first `count` images of a split, outside a Trainer;
        the same LQ images whatever data.batch_size is."""
        data = self.images.split(split)
        count = len(data) if count is None else min(count, len(data))
        for start in range(0, count, batch_size):
            index = torch.arange(start, min(count, start + batch_size))
            clean = data[index][0]
            yield DomainBatch(clean, self.degrade_as(clean, split, index), clean)

    def degrade_as(self, images: torch.Tensor, split: str, index: torch.Tensor) -> torch.Tensor:
        """Images degraded as the images at `index` of `split` are in `pairs` (the same rain,
        mask and down-sampling): e.g. a counterfactual of a test image, seen as its LQ twin."""
        return self.degrade(images, SPLIT_KEYS[split] << 40 | index)

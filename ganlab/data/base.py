"""What every ganlab datamodule shares: named splits, loaders whose shuffling is a pure
function of (seed, epoch) so a resumed run sees the batches an uninterrupted one would,
and the facts recipes read (`label_spec`, `channels`, `image_size`)."""

from __future__ import annotations

from collections.abc import Sequence

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from ganlab.data.labels import LabelSpec
from ganlab.distributed import rank_and_world

SPLITS = ("train", "val", "test")


class EpochSeededSampler(Sampler[int]):
    """A random permutation per epoch drawn from (seed, epoch) alone. Lightning calls
    `set_epoch` before each epoch, including the first one after a resume. A run resumed
    mid-epoch skips the samples that epoch had already used (`resume_at`). Under DDP
    (`shard`) rank r takes the r-th slice of every global batch, so N processes see the
    batches one process with the N-times larger batch would see."""

    def __init__(self, length: int, seed: int):
        self.length, self.seed, self.epoch = length, seed, 0
        self.rank, self.world, self.batch_size = 0, 1, 1
        self._resume: tuple[int, int] | None = None  # (epoch, samples already used)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def shard(self, rank: int, world: int, batch_size: int) -> None:
        self.rank, self.world, self.batch_size = rank, world, batch_size

    def resume_at(self, epoch: int, used: int) -> None:
        self._resume = (epoch, used)

    def _order(self) -> torch.Tensor:
        g = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
        order = torch.randperm(self.length, generator=g)
        if self.world == 1:
            return order
        per_step = self.batch_size * self.world  # whole global batches only, like drop_last
        return order[: self.length // per_step * per_step].view(-1, self.world, self.batch_size)[:, self.rank].flatten()

    def __iter__(self):
        order = self._order()
        if self._resume is not None and self._resume[0] == self.epoch:
            order = order[self._resume[1]:]
        self._resume = None
        return iter(order.tolist())

    def __len__(self) -> int:
        if self.world == 1:
            return self.length
        return self.length // (self.batch_size * self.world) * self.batch_size


class ResumableLoader(DataLoader):
    """A training loader Lightning can checkpoint mid-epoch: `consumed` (the batches this
    epoch has trained on, kept by the Preemption callback) is saved with the checkpoint, and
    a resumed run's loader starts after them, so the rest of the epoch sees the batches an
    uninterrupted run would."""

    consumed = 0

    def state_dict(self) -> dict[str, int]:
        return {"epoch": self.sampler.epoch, "consumed": self.consumed}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.sampler.set_epoch(state["epoch"])
        if state.get("consumed"):
            self.sampler.resume_at(state["epoch"], state["consumed"] * self.batch_size)


def train_loader(data: Dataset, batch_size: int, seed: int, epoch: int = 0, **kwargs) -> ResumableLoader:
    """The shuffled, resumable loader every datamodule trains with, starting at `epoch` (the
    trainer's, restored on resume: worker processes draw the first indices as soon as
    Lightning creates the iterator, before it calls set_epoch); inside a DDP fit it holds
    this rank's share of each global batch (trainer=ddp turns Lightning's own distributed
    sampler off)."""
    sampler = EpochSeededSampler(len(data), seed)
    sampler.set_epoch(epoch)
    rank, world = rank_and_world()
    if world > 1:
        sampler.shard(rank, world, batch_size)
    return ResumableLoader(data, batch_size=batch_size, sampler=sampler, **kwargs)


def split_indices(n: int, fractions: Sequence[float], seed: int) -> dict[str, torch.Tensor]:
    """A seeded permutation of range(n) cut into train / val / test by `fractions`."""
    if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(f"splits must be three non-negative fractions summing to 1, got {list(fractions)}")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_train, n_val = int(round(fractions[0] * n)), int(round(fractions[1] * n))
    return {"train": order[:n_train], "val": order[n_train : n_train + n_val], "test": order[n_train + n_val :]}


class SplitDataModule(pl.LightningDataModule):
    """Named splits built once by `setup()` into `_splits`; each split has `.labels`."""

    _splits: dict | None

    def split(self, name: str):
        """A split's dataset; indexing it with a tensor of indices returns a batch."""
        if name not in SPLITS:
            raise KeyError(f"unknown split {name!r}; splits are {SPLITS}")
        self.setup()
        return self._splits[name]

    def labels(self, name: str) -> torch.Tensor:
        """All labels of a split, [N, label_dim], without loading its inputs."""
        return self.split(name).labels

    def train_labels(self) -> torch.Tensor:
        return self.labels("train")


def trainer_epoch(datamodule: pl.LightningDataModule) -> int:
    """The epoch of the trainer a datamodule is attached to (restored when resuming), else 0."""
    trainer = getattr(datamodule, "trainer", None)
    return int(trainer.current_epoch) if trainer is not None else 0


class ImageDataModule(SplitDataModule):
    """Subclasses set `label_spec` and `channels` in __init__ and implement `build_splits`."""

    label_spec: LabelSpec
    channels: int

    def __init__(self, image_size: int, batch_size: int, num_workers: int, seed: int):
        super().__init__()
        if image_size < 8 or image_size & (image_size - 1):
            raise ValueError(f"data.image_size must be a power of two >= 8, got {image_size}")
        if batch_size < 1:
            raise ValueError(f"data.batch_size must be >= 1, got {batch_size}")
        self.image_size, self.batch_size, self.num_workers, self.seed = image_size, batch_size, num_workers, seed
        self._splits: dict[str, Dataset] | None = None

    def build_splits(self) -> dict[str, Dataset]:
        raise NotImplementedError

    def setup(self, stage: str | None = None) -> None:
        if self._splits is None:
            self._splits = self.build_splits()
            empty = [name for name in SPLITS if len(self._splits[name]) == 0]
            if empty:
                raise ValueError(f"{type(self).__name__}: empty split(s) {empty}; use more images or other fractions")

    def _loader(self, name: str, shuffle: bool) -> DataLoader:
        data = self.split(name)
        workers = {"num_workers": self.num_workers, "persistent_workers": self.num_workers > 0}
        if not shuffle:
            return DataLoader(data, batch_size=self.batch_size, **workers)
        # Full batches in training: a batch of one breaks BatchNorm and minibatch-stddev.
        return train_loader(data, self.batch_size, self.seed, trainer_epoch(self),
                            drop_last=len(data) >= self.batch_size, **workers)

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)


class LabelledTensors(Dataset):
    """Images and labels held in memory; `ds[index_tensor]` gives a whole batch at once."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor):
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index):
        return self.images[index], self.labels[index]

    def subset(self, index: torch.Tensor) -> LabelledTensors:
        return LabelledTensors(self.images[index], self.labels[index])

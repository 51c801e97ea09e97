"""scikit-learn's 1,797 real handwritten digits (8x8, 16 grey levels; shipped with the
package, no download), resized to `image_size`. Labels: one-hot over the 10 classes.

Splits: a permutation seeded by `seed`, cut 70 / 10 / 20 % into train / val / test."""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F

from ganlab.data.base import ImageDataModule, LabelledTensors, split_indices
from ganlab.data.labels import LabelSpec
from ganlab.data.resize import resize, to_signed

CLASS_NAMES = tuple(str(d) for d in range(10))


@lru_cache(maxsize=1)
def raw_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """(images [1797, 1, 8, 8] in [0, 1], class indices [1797])."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = torch.from_numpy(bunch.images).float().div(16).unsqueeze(1)
    return images, torch.from_numpy(bunch.target).long()


class DigitsDataModule(ImageDataModule):
    def __init__(self, image_size: int = 32, batch_size: int = 64, num_workers: int = 0, seed: int = 0,
                 splits: list[float] = (0.7, 0.1, 0.2)):
        super().__init__(image_size, batch_size, num_workers, seed)
        self.fractions = list(splits)
        self.label_spec = LabelSpec(CLASS_NAMES, "categorical")
        self.channels = 1

    def build_splits(self) -> dict[str, LabelledTensors]:
        images, classes = raw_digits()
        data = LabelledTensors(to_signed(resize(images, self.image_size)), F.one_hot(classes, 10).float())
        splits = split_indices(len(classes), self.fractions, self.seed)
        return {name: data.subset(index) for name, index in splits.items()}

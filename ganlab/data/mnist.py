"""MNIST from its published IDX files, read by torchvision (never downloaded here):

    <root>/MNIST/raw/train-images-idx3-ubyte, train-labels-idx1-ubyte,
                     t10k-images-idx3-ubyte,  t10k-labels-idx1-ubyte   (uncompressed)

Splits: the official 60k train set minus its last `val_size` images for validation; the
official 10k test set. Images 28 px resized to `image_size`; labels one-hot."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from ganlab.data.base import ImageDataModule, LabelledTensors
from ganlab.data.digits import CLASS_NAMES
from ganlab.data.image_files import require_folder
from ganlab.data.labels import LabelSpec
from ganlab.data.resize import resize, to_signed

LAYOUT = ("  <root>/MNIST/raw/train-images-idx3-ubyte  train-labels-idx1-ubyte\n"
          "  <root>/MNIST/raw/t10k-images-idx3-ubyte   t10k-labels-idx1-ubyte   (uncompressed)")
SOURCE = "https://yann.lecun.com/exdb/mnist/ (or torchvision.datasets.MNIST(root, download=True) where a network is)"


class MNISTDataModule(ImageDataModule):
    def __init__(self, root: str, image_size: int = 32, val_size: int = 5000, batch_size: int = 64,
                 num_workers: int = 0, seed: int = 0):
        super().__init__(image_size, batch_size, num_workers, seed)
        self.root, self.val_size = root, val_size
        self.label_spec = LabelSpec(CLASS_NAMES, "categorical")
        self.channels = 1

    def _read(self, train: bool) -> LabelledTensors:
        from torchvision.datasets import MNIST

        root = require_folder(self.root, "data=mnist (data.root)", LAYOUT, SOURCE)
        try:
            ds = MNIST(str(root), train=train, download=False)
        except RuntimeError as e:
            raise FileNotFoundError(f"data=mnist: {e} under {Path(root) / 'MNIST' / 'raw'}.\n"
                                    f"Expected layout:\n{LAYOUT}\nGet it from: {SOURCE}") from None
        images = to_signed(resize(ds.data.float().div(255).unsqueeze(1), self.image_size))
        return LabelledTensors(images, F.one_hot(ds.targets.long(), 10).float())

    def build_splits(self) -> dict[str, LabelledTensors]:
        train, test = self._read(True), self._read(False)
        n = len(train)
        if self.val_size >= n:
            raise ValueError(f"data.val_size={self.val_size} leaves no training images (train set has {n})")
        cut = n - self.val_size
        return {"train": train.subset(torch.arange(cut)), "val": train.subset(torch.arange(cut, n)), "test": test}

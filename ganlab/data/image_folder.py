"""Any folder of images, searched recursively (FFHQ's images1024x1024/, Stanford Cars,
your own photos): unlabelled, centre-cropped to a square and resized to `image_size`.
Splits: a seeded permutation cut by `splits` (default 90 / 5 / 5 %)."""

from __future__ import annotations

import torch

from ganlab.data.base import ImageDataModule, split_indices
from ganlab.data.image_files import ImageFiles, list_images, require_folder, verify_images
from ganlab.data.labels import LabelSpec

LAYOUT = "  <root>/**/*.png|jpg|jpeg|bmp|webp   (any depth; e.g. FFHQ's images1024x1024/00000/00000.png)"
SOURCE = "FFHQ: https://github.com/NVlabs/ffhq-dataset ; Stanford Cars: https://ai.stanford.edu/~jkrause/cars/car_dataset.html"


class ImageFolderDataModule(ImageDataModule):
    def __init__(self, root: str, image_size: int = 256, channels: int = 3, batch_size: int = 8,
                 num_workers: int = 2, seed: int = 0, splits: list[float] = (0.9, 0.05, 0.05),
                 verify: bool = False):
        super().__init__(image_size, batch_size, num_workers, seed)
        self.root, self.fractions, self.verify = root, list(splits), verify
        self.label_spec = LabelSpec((), "none")
        self.channels = channels

    def build_splits(self) -> dict[str, ImageFiles]:
        root = require_folder(self.root, "data=image_folder (data.root)", LAYOUT, SOURCE)
        paths = list_images(root)
        if not paths:
            raise FileNotFoundError(f"data=image_folder: no images under {root}.\nExpected layout:\n{LAYOUT}")
        if self.verify:
            verify_images(paths, f"data=image_folder (data.root={root}, data.verify=true)")
        data = ImageFiles(paths, torch.zeros(len(paths), 0), self.image_size, channels=self.channels)
        splits = split_indices(len(paths), self.fractions, self.seed)
        return {name: data.subset(index) for name, index in splits.items()}

"""CelebA in its published layout (aligned and cropped faces, 178x218):

    <root>/img_align_celeba/000001.jpg ...
    <root>/list_attr_celeba.txt        (count; 40 names; "000001.jpg -1 1 ..." rows)
    <root>/list_eval_partition.txt     ("000001.jpg 0": 0 train, 1 val, 2 test)

Labels: the chosen `attributes` (null = all 40) as 0/1. Images are cropped to the
central 178x178 square (the face, as IcGAN crops before resizing) and resized."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab.data.base import ImageDataModule
from ganlab.data.image_files import ImageFiles, require_folder, verify_images
from ganlab.data.labels import LabelSpec

LAYOUT = ("  <root>/img_align_celeba/000001.jpg ...\n  <root>/list_attr_celeba.txt\n"
          "  <root>/list_eval_partition.txt")
SOURCE = "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html (Align&Cropped images, Anno/, Eval/)"
CROP = (0, 20, 178, 198)  # left, top, right, bottom: the 178x178 square holding the face
PARTITIONS = {"train": 0, "val": 1, "test": 2}


def read_attributes(path: Path) -> tuple[list[str], list[str], torch.Tensor]:
    """list_attr_celeba.txt -> (file names, attribute names, 0/1 tensor [N, 40])."""
    lines = path.read_text().splitlines()
    names = lines[1].split()
    files, rows = [], []
    for line_no, line in enumerate(lines[2:], start=3):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != len(names) + 1:
            raise ValueError(f"{path}:{line_no}: expected a file name and {len(names)} values, got {len(parts)} fields")
        files.append(parts[0])
        rows.append([int(v) for v in parts[1:]])
    return files, names, (torch.tensor(rows) > 0).float()


def read_partition(path: Path) -> dict[str, int]:
    return {f: int(p) for f, p in (line.split() for line in path.read_text().splitlines() if line.strip())}


class CelebADataModule(ImageDataModule):
    def __init__(self, root: str, attributes: list[str] | None = None, image_size: int = 64,
                 batch_size: int = 64, num_workers: int = 2, seed: int = 0, verify: bool = False):
        super().__init__(image_size, batch_size, num_workers, seed)
        self.root, self.attributes, self.verify = root, list(attributes) if attributes else None, verify
        self.label_spec = LabelSpec(tuple(self.attributes or ()), "binary")
        self.channels = 3

    def build_splits(self) -> dict[str, ImageFiles]:
        root = require_folder(self.root, "data=celeba (data.root)", LAYOUT, SOURCE)
        for needed in ("img_align_celeba", "list_attr_celeba.txt", "list_eval_partition.txt"):
            if not (root / needed).exists():
                raise FileNotFoundError(f"data=celeba: {root / needed} is missing.\nExpected layout:\n{LAYOUT}\n"
                                        f"Get it from: {SOURCE}")
        files, names, table = read_attributes(root / "list_attr_celeba.txt")
        chosen = self.attributes or names
        unknown = [a for a in chosen if a not in names]
        if unknown:
            raise ValueError(f"data.attributes: unknown CelebA attributes {unknown}; known: {names}")
        if self.attributes is None:
            self.label_spec = LabelSpec(tuple(names), "binary")
        labels = table[:, [names.index(a) for a in chosen]]
        partition = read_partition(root / "list_eval_partition.txt")
        missing = [f for f in files if f not in partition]
        if missing:
            raise ValueError(f"list_eval_partition.txt has no split for {len(missing)} images, e.g. {missing[:3]}")
        part = torch.tensor([partition[f] for f in files])
        paths = [root / "img_align_celeba" / f for f in files]
        if self.verify:
            verify_images(paths, f"data=celeba (data.root={root}, data.verify=true)")
        data = ImageFiles(paths, labels, self.image_size, crop=CROP)
        return {name: data.subset((part == code).nonzero().squeeze(1)) for name, code in PARTITIONS.items()}

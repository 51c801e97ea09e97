"""Images read from files on demand (CelebA, FFHQ, any folder). A file that cannot be
decoded fails with its path; indexing with a tensor of indices returns a batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from ganlab.data.resize import to_signed

EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class CorruptImageError(OSError):
    pass


def load_image(path: Path, image_size: int, crop: tuple[int, int, int, int] | None, channels: int) -> torch.Tensor:
    """One file -> [channels, S, S] in [-1, 1]: crop (left, top, right, bottom) or the
    largest centred square, then a bicubic resize."""
    try:
        with Image.open(path) as img:
            img = img.convert("RGB" if channels == 3 else "L")
            if crop is None:
                w, h = img.size
                side = min(w, h)
                crop = ((w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side)
            img = img.crop(crop).resize((image_size, image_size), Image.BICUBIC)
            array = np.asarray(img, dtype=np.float32) / 255.0
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise CorruptImageError(f"cannot read image {path}: {e}") from None
    tensor = torch.from_numpy(array.copy())
    tensor = tensor.permute(2, 0, 1) if tensor.ndim == 3 else tensor.unsqueeze(0)
    return to_signed(tensor)


class ImageFiles(Dataset):
    def __init__(self, paths: list[Path], labels: torch.Tensor, image_size: int,
                 crop: tuple[int, int, int, int] | None = None, channels: int = 3):
        if len(paths) != len(labels):
            raise ValueError(f"{len(paths)} files but {len(labels)} labels")
        self.paths, self.labels = list(paths), labels
        self.image_size, self.crop, self.channels = image_size, crop, channels

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index):
        if isinstance(index, (torch.Tensor, list, tuple)):
            items = [self[int(i)] for i in index]
            return torch.stack([x for x, _ in items]), torch.stack([y for _, y in items])
        return load_image(self.paths[index], self.image_size, self.crop, self.channels), self.labels[index]

    def subset(self, index: torch.Tensor) -> ImageFiles:
        return ImageFiles([self.paths[i] for i in index.tolist()], self.labels[index], self.image_size,
                          self.crop, self.channels)


def unreadable(paths: list[Path]) -> list[str]:
    """`path: reason` for every file that does not decode (missing, truncated, not an image)."""
    bad = []
    for path in paths:
        try:
            with Image.open(path) as img:
                img.load()
        except (OSError, ValueError, Image.DecompressionBombError) as e:
            bad.append(f"{path}: {e}")
    return bad


def verify_images(paths: list[Path], key: str) -> None:
    """data.verify=true: decode every file up front and list all that fail, before training."""
    bad = unreadable(paths)
    if bad:
        shown = "\n  ".join(bad[:50]) + (f"\n  ... and {len(bad) - 50} more" if len(bad) > 50 else "")
        raise CorruptImageError(f"{key}: {len(bad)} of {len(paths)} images cannot be read:\n  {shown}\n"
                                f"Remove or replace them (or fix the folder), then run again.")


def require_folder(path: Path, what: str, layout: str, source: str) -> Path:
    """A readable folder, or an error saying what was expected there and where to get it."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(f"{what}: no folder at {path}.\nExpected layout:\n{layout}\nGet it from: {source}")
    return path


def list_images(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in EXTENSIONS and p.is_file())

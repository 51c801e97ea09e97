"""MultiDigits: canvases holding 1 to `max_count` real handwritten digits (scikit-learn's),
label = how many (one-hot over counts). The count-editing task of the LW paper, built
from embedded data.

Each canvas is a 2x2 grid of cells (max_count <= 4); a digit, resized to `digit_size`,
sits at a random offset inside each chosen cell, so digits never overlap. The digit
pool is split first (70 / 10 / 20 %, seeded), and each split's canvases use only its
own digits: test canvases hold digits no model saw in training."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganlab.data.base import ImageDataModule, LabelledTensors, split_indices
from ganlab.data.digits import raw_digits
from ganlab.data.labels import LabelSpec
from ganlab.data.resize import resize, to_signed

SPLIT_FRACTIONS = (0.7, 0.1, 0.2)


def compose_canvases(digits: torch.Tensor, counts: torch.Tensor, image_size: int, g: torch.Generator) -> torch.Tensor:
    """digits [P, 1, d, d] in [0, 1] (a pool), counts [N] in 1..4 -> canvases [N, 1, S, S] in [0, 1]."""
    n, d = len(counts), digits.shape[-1]
    cell = image_size // 2
    if d > cell:
        raise ValueError(f"digit_size {d} does not fit a {cell}px cell of a {image_size}px canvas")
    canvas = torch.zeros(n, image_size, image_size)
    cells = torch.rand(n, 4, generator=g).argsort(1)  # a random order of the four cells per canvas
    offsets = torch.randint(0, cell - d + 1, (n, 4, 2), generator=g)
    picks = torch.randint(0, len(digits), (n, 4), generator=g)
    span = torch.arange(d)
    for slot in range(4):  # four slots, each pasted for the whole batch at once
        present = counts > slot
        idx = present.nonzero().squeeze(1)
        c = cells[idx, slot]
        top = (c // 2) * cell + offsets[idx, slot, 0]
        left = (c % 2) * cell + offsets[idx, slot, 1]
        rows = (top[:, None] + span)[:, :, None]
        cols = (left[:, None] + span)[:, None, :]
        canvas[idx[:, None, None], rows, cols] = digits[picks[idx, slot], 0]
    return canvas.unsqueeze(1)


class MultiDigitsDataModule(ImageDataModule):
    def __init__(self, image_size: int = 32, num_images: int = 12000, max_count: int = 4,
                 digit_size: int | None = None, batch_size: int = 64, num_workers: int = 0, seed: int = 0):
        super().__init__(image_size, batch_size, num_workers, seed)
        if not 1 <= max_count <= 4:
            raise ValueError(f"data.max_count must be in 1..4, got {max_count}")
        self.num_images, self.max_count = num_images, max_count
        self.digit_size = digit_size or int(image_size * 0.4)
        self.label_spec = LabelSpec(tuple(f"count_{k}" for k in range(1, max_count + 1)), "categorical")
        self.channels = 1

    def build_splits(self) -> dict[str, LabelledTensors]:
        images, _ = raw_digits()
        pool = resize(images, self.digit_size).clamp(0, 1)
        pools = split_indices(len(pool), SPLIT_FRACTIONS, self.seed)
        sizes = split_indices(self.num_images, SPLIT_FRACTIONS, self.seed)
        out = {}
        for i, name in enumerate(("train", "val", "test")):
            g = torch.Generator().manual_seed(self.seed * 10 + i)
            counts = torch.randint(1, self.max_count + 1, (len(sizes[name]),), generator=g)
            canvases = compose_canvases(pool[pools[name]], counts, self.image_size, g)
            out[name] = LabelledTensors(to_signed(canvases), F.one_hot(counts - 1, self.max_count).float())
        return out

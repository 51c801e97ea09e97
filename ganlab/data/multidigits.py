"""MultiDigits: canvases holding 1 to `max_count` real handwritten digits (scikit-learn's),
label = how many (one-hot over counts). The count-editing task of the LW paper, built
from embedded data.

`layout` places the digits in cells, so they never overlap; a digit, resized to `digit_size`,
sits at a random offset inside its cell:
- grid: a 2x2 grid of cells, the k digits in k cells drawn at random (k -> k+1 has several
  equally good places for the new digit);
- row: `max_count` left-to-right slots across the canvas's middle band, the k digits in the
  first k (MultiMNIST-like: k -> k+1 adds one digit at a fixed place).
The digit
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
LAYOUTS = ("grid", "row")


def cell_geometry(layout: str, image_size: int, max_count: int) -> tuple[torch.Tensor, int, int]:
    """The cells' top-left corners [C, 2] and their height and width in pixels."""
    if layout == "grid":
        cell = image_size // 2
        corners = torch.tensor([[r * cell, c * cell] for r in range(2) for c in range(2)])
        return corners, cell, cell
    if layout == "row":  # the grid's cell height, centred; max_count equal slots across
        height, width = image_size // 2, image_size // max_count
        corners = torch.tensor([[(image_size - height) // 2, k * width] for k in range(max_count)])
        return corners, height, width
    raise ValueError(f"data.layout must be one of {LAYOUTS}, got {layout!r}")


def compose_canvases(digits: torch.Tensor, counts: torch.Tensor, image_size: int, g: torch.Generator,
                     layout: str = "grid", max_count: int = 4) -> torch.Tensor:
    """digits [P, 1, d, d] in [0, 1] (a pool), counts [N] in 1..max_count -> canvases [N, 1, S, S] in [0, 1]."""
    n, d = len(counts), digits.shape[-1]
    corners, height, width = cell_geometry(layout, image_size, max_count)
    cells_n = len(corners)
    if d > min(height, width):
        raise ValueError(f"digit_size {d} does not fit a {height}x{width}px cell of a {image_size}px "
                         f"canvas in data.layout={layout}")
    canvas = torch.zeros(n, image_size, image_size)
    if layout == "grid":  # a random order of the cells per canvas
        cells = torch.rand(n, cells_n, generator=g).argsort(1)
    else:  # the slots left to right
        cells = torch.arange(cells_n).expand(n, cells_n)
    if height == width:  # one draw for both axes (the grid's canvases as they always were)
        offsets = torch.randint(0, height - d + 1, (n, cells_n, 2), generator=g)
    else:
        offsets = torch.stack([torch.randint(0, height - d + 1, (n, cells_n), generator=g),
                               torch.randint(0, width - d + 1, (n, cells_n), generator=g)], -1)
    picks = torch.randint(0, len(digits), (n, cells_n), generator=g)
    span = torch.arange(d)
    for slot in range(cells_n):  # one slot at a time, pasted for the whole batch at once
        present = counts > slot
        idx = present.nonzero().squeeze(1)
        c = cells[idx, slot]
        top = corners[c, 0] + offsets[idx, slot, 0]
        left = corners[c, 1] + offsets[idx, slot, 1]
        rows = (top[:, None] + span)[:, :, None]
        cols = (left[:, None] + span)[:, None, :]
        canvas[idx[:, None, None], rows, cols] = digits[picks[idx, slot], 0]
    return canvas.unsqueeze(1)


class MultiDigitsDataModule(ImageDataModule):
    def __init__(self, image_size: int = 32, num_images: int = 12000, max_count: int = 4,
                 digit_size: int | None = None, batch_size: int = 64, num_workers: int = 0, seed: int = 0,
                 layout: str = "grid"):
        super().__init__(image_size, batch_size, num_workers, seed)
        if not 1 <= max_count <= 4:
            raise ValueError(f"data.max_count must be in 1..4, got {max_count}")
        if layout not in LAYOUTS:
            raise ValueError(f"data.layout must be one of {LAYOUTS}, got {layout!r}")
        self.num_images, self.max_count, self.layout = num_images, max_count, layout
        # row: a slot's width (scikit-learn's digits are 8x8, the slot's width at 32 px)
        self.digit_size = digit_size or (int(image_size * 0.4) if layout == "grid" else image_size // max_count)
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
            canvases = compose_canvases(pool[pools[name]], counts, self.image_size, g, self.layout, self.max_count)
            out[name] = LabelledTensors(to_signed(canvases), F.one_hot(counts - 1, self.max_count).float())
        return out

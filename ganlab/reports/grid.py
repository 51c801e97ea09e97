"""Labelled image grids as PNG: a title, column headers and row labels drawn around the
images, small images upscaled (nearest neighbour) so a 32 px face is readable at 100 % zoom.
The labels are also stored in the PNG's text chunks (title, columns, rows as JSON), so a
test or a report can read what a grid shows without looking at pixels."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

MIN_CELL = 96  # px: the smallest displayed image side
FONT_SIZE = 13
PAD = 2  # px between cells
MARGIN = 6  # px around text
WHITE = (255, 255, 255)
INK = (20, 20, 20)


@dataclass
class Grid:
    """Images in [-1, 1] laid out row by row, `ncols` per row. `columns`: one header per
    column; `rows`: one label per row (where rows differ); both optional."""

    images: torch.Tensor
    ncols: int
    columns: list[str] | None = None
    rows: list[str] | None = None


def save_grid(grid: Grid, path: str | Path, title: str) -> torch.Tensor:
    """Draw `grid` with its `title` and labels into a PNG at `path`; returns the drawn image
    as a [3, H, W] tensor in [0, 1] (what the loggers receive)."""
    if not title:
        raise ValueError(f"{path}: a grid needs a title saying what it shows")
    images = grid.images.detach().float().cpu().clamp(-1, 1).add(1).div(2)
    n, ncols = len(images), grid.ncols
    nrows = math.ceil(n / ncols)
    if grid.columns is not None and len(grid.columns) != ncols:
        raise ValueError(f"{path}: {len(grid.columns)} column headers for {ncols} columns: {grid.columns}")
    if grid.rows is not None and len(grid.rows) != nrows:
        raise ValueError(f"{path}: {len(grid.rows)} row labels for {nrows} rows: {grid.rows}")
    cells = _cells(images, nrows * ncols)
    side_h, side_w = cells.shape[1:3]
    font = ImageFont.load_default(size=FONT_SIZE)
    line = _line_height(font)
    label_w = 0 if grid.rows is None else min(200, max(_width(font, r) for r in grid.rows) + 2 * MARGIN)
    header_lines = [] if grid.columns is None else [_wrap(font, c, side_w) for c in grid.columns]
    header_h = 0 if not header_lines else max(len(h) for h in header_lines) * line + MARGIN
    title_lines = _wrap(font, title, max(label_w + ncols * (side_w + PAD), 360) - 2 * MARGIN)
    title_h = len(title_lines) * line + MARGIN
    width = max(label_w + ncols * (side_w + PAD) + PAD, max(_width(font, t) for t in title_lines) + 2 * MARGIN)
    top = title_h + header_h
    canvas = Image.new("RGB", (width, top + nrows * (side_h + PAD) + PAD), WHITE)
    body = cells.reshape(nrows, ncols, side_h, side_w, 3)
    for r in range(nrows):  # one paste per row of cells
        strip = np.concatenate([np.pad(c, ((0, 0), (0, PAD), (0, 0)), constant_values=255) for c in body[r]], 1)
        canvas.paste(Image.fromarray(strip), (label_w + PAD, top + PAD + r * (side_h + PAD)))
    draw = ImageDraw.Draw(canvas)
    for i, text in enumerate(title_lines):
        draw.text((MARGIN, MARGIN // 2 + i * line), text, fill=INK, font=font)
    for c, lines in enumerate(header_lines):
        x0 = label_w + PAD + c * (side_w + PAD)
        for i, text in enumerate(lines):
            y = title_h + header_h - MARGIN // 2 - (len(lines) - i) * line
            draw.text((x0 + (side_w - _width(font, text)) // 2, y), text, fill=INK, font=font)
    for r, text in enumerate(grid.rows or []):
        y = top + PAD + r * (side_h + PAD) + (side_h - line) // 2
        draw.text((MARGIN, y), _clip(font, text, label_w - 2 * MARGIN), fill=INK, font=font)
    info = PngImagePlugin.PngInfo()
    info.add_text("title", title)
    info.add_text("columns", json.dumps(grid.columns))
    info.add_text("rows", json.dumps(grid.rows))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path, pnginfo=info)
    return torch.from_numpy(np.asarray(canvas).copy()).permute(2, 0, 1).float() / 255


def grid_labels(path: str | Path) -> dict:
    """The title, column headers and row labels stored in a grid PNG written by save_grid."""
    with Image.open(path) as image:
        text = dict(image.text)
    if "title" not in text:
        raise ValueError(f"{path} carries no grid labels (not written by save_grid)")
    return {"title": text["title"], "columns": json.loads(text["columns"]), "rows": json.loads(text["rows"])}


def _cells(images: torch.Tensor, count: int) -> np.ndarray:
    """[count, H, W, 3] uint8, upscaled by an integer factor to at least MIN_CELL px; grey
    images become RGB, missing cells of the last row white."""
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    scale = max(1, math.ceil(MIN_CELL / max(images.shape[-2:])))
    images = images.repeat_interleave(scale, -2).repeat_interleave(scale, -1)
    if count > len(images):
        images = torch.cat([images, images.new_ones(count - len(images), *images.shape[1:])])
    return images.mul(255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()


def _line_height(font) -> int:
    ascent, descent = font.getmetrics()
    return ascent + descent + 2


def _width(font, text: str) -> int:
    return int(math.ceil(font.getlength(text)))


def _wrap(font, text: str, width: int) -> list[str]:
    """Greedy word wrap to `width` px; a word wider than that is cut by characters."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and _width(font, candidate) <= width:
            lines[-1] = candidate
            continue
        while _width(font, word) > width and len(word) > 1:
            cut = max(k for k in range(1, len(word) + 1) if _width(font, word[:k]) <= width or k == 1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines or [""]


def _clip(font, text: str, width: int) -> str:
    while len(text) > 1 and _width(font, text) > width:
        text = text[:-2] + "…"
    return text

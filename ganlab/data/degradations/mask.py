"""Free-form brush-stroke masks (the DeepFill v2 / GPEN inpainting masks): each image
gets 1..`max_strokes` strokes, each a polyline of random turns and lengths drawn with a
round brush, and the masked pixels are set to `fill`. Widths and lengths are fractions of
the image size, so one config fits every resolution."""

from __future__ import annotations

import math

import torch

from ganlab.data.degradations.base import Degradation, check_range, uniform


def _segment_distance(px: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Distance from pixel centres px [P, 2] to segments a -> b [B, K, 2]: [B, K, P]."""
    ab = (b - a)[:, :, None]
    rel = px[None, None] - a[:, :, None]
    t = ((rel * ab).sum(-1) / ab.pow(2).sum(-1).clamp(min=1e-8)).clamp(0, 1)
    return (rel - t[..., None] * ab).norm(dim=-1)


ELEMENTS_PER_PASS = 2**23  # segment x pixel distances computed at once (bounds memory at 1024 px)


class FreeFormMask(Degradation):
    def __init__(self, max_strokes: int = 3, vertices: list[int] = (4, 8), width: list[float] = (0.06, 0.14),
                 step: list[float] = (0.1, 0.3), fill: float = 1.0):
        super().__init__()
        if max_strokes < 1:
            raise ValueError(f"degradation.max_strokes must be >= 1, got {max_strokes}")
        lo, hi = check_range("vertices", vertices, low=2)
        self.max_strokes, self.vertices = max_strokes, (int(lo), int(hi))
        self.width, self.step = check_range("width", width, high=1.0), check_range("step", step, high=1.0)
        self.fill = float(fill)

    def masks(self, shape: torch.Size, g: torch.Generator, device) -> torch.Tensor:
        """[B, 1, H, W] booleans, True where the image is painted over."""
        b, _, h, w = shape
        size = float(max(h, w))
        n_strokes = torch.randint(1, self.max_strokes + 1, (b,), generator=g)
        n_vertices = torch.randint(self.vertices[0], self.vertices[1] + 1, (b, self.max_strokes), generator=g)
        start = uniform((b, self.max_strokes, 2), 0.0, 1.0, g, "cpu") * torch.tensor([w - 1.0, h - 1.0])
        angles = uniform((b, self.max_strokes, self.vertices[1] - 1), 0.0, 2 * math.pi, g, "cpu")
        lengths = uniform((b, self.max_strokes, self.vertices[1] - 1), *self.step, g, "cpu") * size
        radius = uniform((b, self.max_strokes), *self.width, g, "cpu") * size / 2
        moves = torch.stack([angles.cos(), angles.sin()], -1) * lengths[..., None]
        points = torch.cat([start[:, :, None], start[:, :, None] + moves.cumsum(2)], 2)
        points = torch.minimum(points.clamp(min=0), torch.tensor([w - 1.0, h - 1.0]))
        ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32),
                                indexing="ij")
        pixels = torch.stack([xs.flatten(), ys.flatten()], 1).to(device)
        points, radius = points.to(device), radius.to(device)
        # Segments k -> k + 1 of every stroke, flattened; a segment is drawn if its stroke is
        # used and its end vertex exists.
        segments = self.max_strokes * (self.vertices[1] - 1)
        a, z = points[:, :, :-1].reshape(b, segments, 2), points[:, :, 1:].reshape(b, segments, 2)
        stroke_used = torch.arange(self.max_strokes)[None] < n_strokes[:, None]
        vertex_used = torch.arange(1, self.vertices[1])[None, None] < n_vertices[..., None]
        live = (stroke_used[..., None] & vertex_used).reshape(b, segments).to(device)
        radius = radius[:, :, None].expand(-1, -1, self.vertices[1] - 1).reshape(b, segments)
        mask = torch.zeros(b, h * w, dtype=torch.bool, device=device)
        chunk = max(1, ELEMENTS_PER_PASS // (b * h * w))
        for k in range(0, segments, chunk):  # usually one pass; chunks only bound memory
            near = _segment_distance(pixels, a[:, k : k + chunk], z[:, k : k + chunk]) <= radius[:, k : k + chunk, None]
            mask |= (near & live[:, k : k + chunk, None]).any(1)
        return mask.view(b, 1, h, w)

    def forward(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        return torch.where(self.masks(x.shape, generator, x.device), torch.full_like(x, self.fill), x)

"""HFGI's adaptive distortion alignment (ADA): the distortion map x - G(w) is re-aligned to
the image it is fused into, so an edit that moves or reshapes a part (a mouth that smiles)
does not get the source's unedited detail pasted back where it was.

It learns by self-supervision, as HFGI trains it: while training, the distortion is warped
by a random perspective (HFGI: torchvision's RandomPerspective, distortion scale 0.15,
probability 0.8) and the aligner, reading the warped distortion beside G(w), must bring
back the detail that reconstructs x. At edit time it reads the unwarped distortion beside
the edited G(w')."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.nets.inverters.pyramid import he_init

CORNERS = torch.tensor([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])


def perspective_from_corners(source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """[B, 3, 3] homographies H with H(target_i) = source_i for corners [B, 4, 2] (normalised
    coordinates), solved as the 8 x 8 linear system of the four correspondences."""
    x, y = target.unbind(-1)
    u, v = source.unbind(-1)
    one, zero = torch.ones_like(x), torch.zeros_like(x)
    rows_u = torch.stack([x, y, one, zero, zero, zero, -x * u, -y * u], -1)
    rows_v = torch.stack([zero, zero, zero, x, y, one, -x * v, -y * v], -1)
    h = torch.linalg.solve(torch.cat([rows_u, rows_v], 1), torch.cat([u, v], 1))
    return torch.cat([h, torch.ones_like(h[:, :1])], 1).view(-1, 3, 3)


def random_perspective(images: torch.Tensor, scale: float, rate: float, rng: torch.Generator) -> torch.Tensor:
    """Each image, with probability `rate`, seen through a random perspective: every corner
    moves inward by up to `scale` of the half-size on each axis (torchvision's
    RandomPerspective); outside the warped image is 0 (no distortion)."""
    n = len(images)
    inward = -CORNERS.sign()  # toward the centre
    shift = torch.rand(n, 4, 2, generator=rng) * scale * inward
    warped = torch.rand(n, generator=rng) < rate
    target = CORNERS + shift * warped[:, None, None]
    h = perspective_from_corners(CORNERS.expand(n, -1, -1), target).to(images)
    size = images.shape[-1]
    axis = (torch.arange(size, device=images.device, dtype=images.dtype) * 2 + 1) / size - 1  # pixel centres
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([gx, gy, torch.ones_like(gx)], -1).view(1, -1, 3) @ h.transpose(1, 2)
    grid = (points[..., :2] / points[..., 2:]).view(n, size, size, 2)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


class DistortionAligner(nn.Module):
    """(distortion [B, C, S, S], image [B, C, S, S]) -> the distortion aligned to the image.
    A correction added to the distortion, its last conv starting at zero, so a fresh aligner
    passes the distortion through unchanged (the unaligned fusion)."""

    def __init__(self, channels: int, width: int = 32, warp_scale: float = 0.15, warp_rate: float = 0.8):
        super().__init__()
        if not 0 <= warp_scale < 1 or not 0 <= warp_rate <= 1:
            raise ValueError(f"inverter.warp_scale must be in [0, 1) and inverter.warp_rate in [0, 1], got "
                             f"{warp_scale} and {warp_rate}")
        self.warp_scale, self.warp_rate = warp_scale, warp_rate
        self.body = nn.Sequential(
            nn.Conv2d(2 * channels, width, 3, 1, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, width, 3, 1, 2, dilation=2), nn.LeakyReLU(0.2),
            nn.Conv2d(width, width, 3, 1, 4, dilation=4), nn.LeakyReLU(0.2),
            nn.Conv2d(width, channels, 3, 1, 1))
        he_init(self)
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)
        # the warps drawn so far and their seed: saved with the weights, so a resumed run
        # draws the warps an uninterrupted one would
        self.register_buffer("warps", torch.zeros((), dtype=torch.long))
        self.register_buffer("seed", torch.randint(2**31 - 1, (), dtype=torch.long))

    def warp(self, distortion: torch.Tensor) -> torch.Tensor:
        """ADA's self-supervision (training only): the distortion, randomly misaligned."""
        rng = torch.Generator().manual_seed(int(self.seed) * 1_000_003 + int(self.warps))
        self.warps += 1
        return random_perspective(distortion, self.warp_scale, self.warp_rate, rng)

    def forward(self, distortion: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        return distortion + self.body(torch.cat([distortion, image], 1))

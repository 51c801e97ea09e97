"""The IcGAN encoder pair, in the three layouts Perarnau et al. compared:

- `sng`: one encoder outputs [z, y], trained on generated pairs only;
- `ind`: E_z trained on generated pairs, E_y on real labelled images;
- `ind_cond`: as `ind`, but E_z also sees y (the true y' when training, E_y(x) at test).
"""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.encoders import ConvEncoder

LAYOUTS = ("sng", "ind", "ind_cond")


class IcGANInverter(nn.Module):
    def __init__(self, layout: str = "ind", z_dim: int = 100, y_dim: int = 10, image_size: int = 32,
                 channels: int = 1, width: int = 32):
        super().__init__()
        if layout not in LAYOUTS:
            raise ValueError(f"inverter.layout must be one of {LAYOUTS}, got {layout!r}")
        self.layout, self.z_dim, self.y_dim = layout, z_dim, y_dim
        shape = dict(image_size=image_size, channels=channels, width=width)
        if layout == "sng":
            self.joint = ConvEncoder(z_dim + y_dim, **shape)
        else:
            self.encoder_y = ConvEncoder(y_dim, **shape)
            self.encoder_z = ConvEncoder(z_dim, y_dim=y_dim if layout == "ind_cond" else 0, **shape)

    def encode_y(self, x: torch.Tensor) -> torch.Tensor:
        return self.joint(x)[:, self.z_dim :] if self.layout == "sng" else self.encoder_y(x)

    def encode_z(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.layout == "sng":
            return self.joint(x)[:, : self.z_dim]
        return self.encoder_z(x, y if self.layout == "ind_cond" else None)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x -> (z, y), the codes IcGAN edits."""
        if self.layout == "sng":
            out = self.joint(x)
            return out[:, : self.z_dim], out[:, self.z_dim :]
        y = self.encoder_y(x)
        return self.encode_z(x, y), y

    def generated_pair_loss(self, x_fake: torch.Tensor, z: torch.Tensor,
                            y_fake: torch.Tensor) -> dict[str, torch.Tensor]:
        """Losses on (z, y') -> G(z, y') pairs: ||z - E_z||^2 (and ||y' - E_y||^2 for sng)."""
        if self.layout == "sng":
            out = self.joint(x_fake)
            return {"z": (out[:, : self.z_dim] - z).pow(2).sum(1).mean(),
                    "y": (out[:, self.z_dim :] - y_fake).pow(2).sum(1).mean()}
        return {"z": (self.encode_z(x_fake, y_fake) - z).pow(2).sum(1).mean()}

    def real_loss(self, x: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
        """||y - E_y(x)||^2 on real labelled images (not used by sng)."""
        if self.layout == "sng":
            return {}
        return {"y": (self.encoder_y(x) - y).pow(2).sum(1).mean()}

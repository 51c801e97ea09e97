"""ArcFace (Deng et al. 2019) IR-SE50, the face-identity network pSp, e4e, HFGI and
UDA-inversion score identity with. Module names follow pSp's `Backbone` so its published
`model_ir_se50.pth` (a plain state dict) loads with strict=True.

Layout: input_layer (3x3 conv, BN, PReLU) -> body: 24 IR-SE bottlenecks (64x3, 128x4,
256x14, 512x3; the first of each group strides 2) -> output_layer (BN, dropout, flatten,
linear 512*7*7 -> 512, BN1d) -> unit-length embedding. Input: 112x112 RGB in [-1, 1]."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.nets.identity import IdentityEmbedder

IR_SE50_GROUPS = ((64, 64, 3), (64, 128, 4), (128, 256, 14), (256, 512, 3))  # (in, out, units)
WEIGHTS_FILE = "model_ir_se50.pth"
WEIGHTS_SOURCE = "the pSp repository's 'Pretrained Models' table (eladrich/pixel2style2pixel)"


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1, bias=False)
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = self.fc2(F.relu(self.fc1(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(gate)


class BottleneckIRSE(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        if in_channels == out_channels:
            self.shortcut_layer = nn.MaxPool2d(1, stride)  # parameter-free subsampling, as in pSp
        else:
            self.shortcut_layer = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                                nn.BatchNorm2d(out_channels))
        self.res_layer = nn.Sequential(
            nn.BatchNorm2d(in_channels), nn.Conv2d(in_channels, out_channels, 3, 1, 1, bias=False),
            nn.PReLU(out_channels), nn.Conv2d(out_channels, out_channels, 3, stride, 1, bias=False),
            nn.BatchNorm2d(out_channels), SqueezeExcite(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.res_layer(x) + self.shortcut_layer(x)


class IRSE50(nn.Module):
    def __init__(self, dropout: float = 0.6):
        super().__init__()
        self.input_layer = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.PReLU(64))
        units = []
        for in_ch, out_ch, count in IR_SE50_GROUPS:
            units += [BottleneckIRSE(in_ch, out_ch, 2)] + [BottleneckIRSE(out_ch, out_ch, 1) for _ in range(count - 1)]
        self.body = nn.Sequential(*units)
        self.output_layer = nn.Sequential(nn.BatchNorm2d(512), nn.Dropout(dropout), nn.Flatten(),
                                          nn.Linear(512 * 7 * 7, 512), nn.BatchNorm1d(512))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """[B, 3, 112, 112] in [-1, 1] -> unit embeddings [B, 512]."""
        return F.normalize(self.output_layer(self.body(self.input_layer(x))), dim=1)


def missing_weights_message(path: Path) -> str:
    return (f"ArcFace IR-SE50 weights not found at {path}. Put {WEIGHTS_FILE} (from {WEIGHTS_SOURCE}) there or "
            "point identity.path at it; on the embedded synthfaces use identity=synthfaces32 (ganlab's "
            "identity-factor net), or drop the identity loss with loss.id.weight=0 loss.id.net=null.")


def load_ir_se50(path: str | Path) -> IRSE50:
    """IR-SE50 with pSp's weights; key or shape mismatches are reported by name."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(missing_weights_message(path))
    state = torch.load(path, map_location="cpu", weights_only=True)
    net = IRSE50()
    own = net.state_dict()
    missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
    wrong = [f"{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}" for k, v in own.items()
             if k in state and state[k].shape != v.shape]
    if missing or unexpected or wrong:
        raise RuntimeError(f"{path} is not an IR-SE50 state dict in pSp's layout: missing {missing[:5]} "
                           f"({len(missing)}), unexpected {unexpected[:5]} ({len(unexpected)}), shapes {wrong[:5]}")
    net.load_state_dict(state)
    return net.eval()


class ArcFaceIdentity(IdentityEmbedder):
    """pSp's identity features: crop the face region (rows 35:223, cols 32:220 of a 256 px
    aligned face, scaled to the input size), resize to 112 px, embed with IR-SE50."""

    CROP_256 = (35, 223, 32, 220)

    def __init__(self, path: str):
        super().__init__()
        self.net = load_ir_se50(path)
        self.requires_grad_(False)
        self.eval()

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        size = images.shape[-1]
        top, bottom, left, right = (round(v * size / 256) for v in self.CROP_256)
        face = F.adaptive_avg_pool2d(images[:, :, top:bottom, left:right], (112, 112))
        return self.net(face)

"""LPIPS (Zhang et al. 2018) from the `lpips` package, frozen: AlexNet features, unit-
normalised per position, weighted by the package's linear layers, averaged over space.

`backbone_weights`: `imagenet` loads torchvision's ImageNet AlexNet from torch's hub cache
(no download here: a missing file fails with its path); `none` keeps a random AlexNet
(no file needed; the embedded recipes say so in their config). The linear layers always
come from the package. `features` / `distance_from_features` expose the two halves so
UDA-inversion's auxiliary network can be scored against this backbone."""

from __future__ import annotations

from pathlib import Path

import lpips
import torch
from torch import nn

ALEXNET_FILE = "alexnet-owt-7be5be79.pth"
BACKBONES = ("imagenet", "none")


def alexnet_weights_path() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / ALEXNET_FILE


def missing_weights_message(path: Path) -> str:
    return (f"LPIPS needs torchvision's ImageNet AlexNet weights at {path} (file {ALEXNET_FILE}, from "
            f"https://download.pytorch.org/models/{ALEXNET_FILE}); place it there (or set TORCH_HOME), "
            "or run with perceptual.backbone_weights=none for a random AlexNet backbone.")


class LPIPS(nn.Module):
    def __init__(self, backbone_weights: str = "imagenet"):
        super().__init__()
        if backbone_weights not in BACKBONES:
            raise ValueError(f"perceptual.backbone_weights must be one of {BACKBONES}, got {backbone_weights!r}")
        if backbone_weights == "imagenet" and not alexnet_weights_path().is_file():
            raise FileNotFoundError(missing_weights_message(alexnet_weights_path()))
        self.backbone_weights = backbone_weights
        # use_dropout stays True: lpips loads its linear layers non-strictly, and without the
        # dropout slot their keys do not match and they silently stay random. Dropout is inert
        # here (always eval mode).
        self.metric = lpips.LPIPS(net="alex", pnet_rand=backbone_weights == "none", verbose=False)
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True) -> LPIPS:
        return super().train(False)  # a fixed metric: never in training mode

    def normalized(self, features) -> list[torch.Tensor]:
        return [lpips.normalize_tensor(f) for f in features]

    def features(self, images: torch.Tensor, backbone: nn.Module | None = None) -> list[torch.Tensor]:
        """Unit-normalised activations of the five AlexNet stages; images in [-1, 1].
        `backbone`: another network of the same structure (default: this metric's)."""
        return self.normalized((backbone or self.metric.net)(self.metric.scaling_layer(images)))

    def distance_from_features(self, a: list[torch.Tensor], b: list[torch.Tensor]) -> torch.Tensor:
        """LPIPS distance [B] between two lists of normalised features."""
        return sum(lpips.spatial_average(lin((fa - fb) ** 2)).flatten() for lin, fa, fb in zip(self.metric.lins, a, b))

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """LPIPS distance per image pair, [B]."""
        return self.distance_from_features(self.features(a), self.features(b))


def auxiliary_alexnet() -> nn.Module:
    """A trainable, randomly initialised network with LPIPS's AlexNet structure."""
    return lpips.pretrained_networks.alexnet(requires_grad=True, pretrained=False)

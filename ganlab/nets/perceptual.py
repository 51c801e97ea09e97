"""LPIPS (Zhang et al. 2018) from the `lpips` package, frozen: backbone features, unit-
normalised per position, weighted by the package's linear layers, averaged over space.

`backbone`: `alexnet` (LPIPS's own) or a feature network handed in as a module (e.g. the
zoo's domain feature net, config `_target_: ganlab.zoo.load`). The package's linear layers
were calibrated on ImageNet AlexNet features, so they apply to AlexNet only; another backbone
gets LPIPS's uncalibrated form: the squared differences of the channel-normalised features,
summed over channels, averaged over space, summed over depths.
`backbone_weights` (AlexNet): `imagenet` loads torchvision's ImageNet AlexNet from torch's
hub cache (no download here: a missing file fails with its path); `none` keeps a random
AlexNet (no file needed; it sees no perceptual structure). `features` /
`distance_from_features` expose the two halves so UDA-inversion's auxiliary network
(`fresh_backbone`) can be scored against this backbone."""

from __future__ import annotations

from pathlib import Path

import lpips
import torch
from torch import nn

from ganlab.nets.feature_stages import FeatureStages

ALEXNET_FILE = "alexnet-owt-7be5be79.pth"
BACKBONES = ("imagenet", "none")


def alexnet_weights_path() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / ALEXNET_FILE


def missing_weights_message(path: Path) -> str:
    return (f"LPIPS needs torchvision's ImageNet AlexNet weights at {path} (file {ALEXNET_FILE}, from "
            f"https://download.pytorch.org/models/{ALEXNET_FILE}); place it there (or set TORCH_HOME), "
            "or run with perceptual.backbone_weights=none for a random AlexNet backbone.")


class LPIPS(nn.Module):
    def __init__(self, backbone_weights: str | None = "imagenet", backbone: str | nn.Module = "alexnet"):
        super().__init__()
        if not isinstance(backbone, nn.Module):
            if backbone != "alexnet":
                raise ValueError(f"perceptual.backbone must be 'alexnet' or a feature network handed in as a module "
                                 f"(perceptual=features_synthfaces32: `_target_: ganlab.zoo.load`), got {backbone!r}")
        elif backbone_weights not in (None, "none"):
            raise ValueError(f"perceptual.backbone_weights={backbone_weights!r} applies to the AlexNet backbone; "
                             "with a feature network as perceptual.backbone set it to null")
        self.calibrated = not isinstance(backbone, nn.Module)
        if not self.calibrated:
            self.backbone_weights, self.stages = None, FeatureStages(backbone)
            self.requires_grad_(False)
            self.eval()
            return
        if backbone_weights not in BACKBONES:
            raise ValueError(f"perceptual.backbone_weights must be one of {BACKBONES}, got {backbone_weights!r}")
        if backbone_weights == "imagenet" and not alexnet_weights_path().is_file():
            raise FileNotFoundError(missing_weights_message(alexnet_weights_path()))
        self.backbone_weights = backbone_weights
        # use_dropout stays True: lpips loads its linear layers non-strictly, and without the
        # dropout slot their keys do not match and they silently stay random. Dropout is inert
        # here (always eval mode).
        # A random backbone is drawn from a fixed seed: one metric in every run, process and
        # resumed run, not one that depends on how much randomness came before it.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            self.metric = lpips.LPIPS(net="alex", pnet_rand=backbone_weights == "none", verbose=False)
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True) -> LPIPS:
        return super().train(False)  # a fixed metric: never in training mode

    def normalized(self, features) -> list[torch.Tensor]:
        return [lpips.normalize_tensor(f) for f in features]

    def features(self, images: torch.Tensor, backbone: nn.Module | None = None) -> list[torch.Tensor]:
        """Unit-normalised activations of the backbone's stages; images in [-1, 1].
        `backbone`: another network of the same structure (default: this metric's)."""
        if not self.calibrated:
            return self.normalized((backbone or self.stages)(images))
        return self.normalized((backbone or self.metric.net)(self.metric.scaling_layer(images)))

    def distance_from_features(self, a: list[torch.Tensor], b: list[torch.Tensor]) -> torch.Tensor:
        """LPIPS distance [B] between two lists of normalised features (uncalibrated: unit weights)."""
        if not self.calibrated:
            return sum(lpips.spatial_average(((fa - fb) ** 2).sum(1, keepdim=True)).flatten() for fa, fb in zip(a, b))
        return sum(lpips.spatial_average(lin((fa - fb) ** 2)).flatten() for lin, fa, fb in zip(self.metric.lins, a, b))

    def fresh_backbone(self) -> nn.Module:
        """A trainable, randomly initialised network with this backbone's structure (UDA's h')."""
        if not self.calibrated:
            return self.stages.fresh_copy()
        return auxiliary_alexnet()

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """LPIPS distance per image pair, [B]."""
        return self.distance_from_features(self.features(a), self.features(b))


def auxiliary_alexnet() -> nn.Module:
    """A trainable, randomly initialised network with LPIPS's AlexNet structure."""
    return lpips.pretrained_networks.alexnet(requires_grad=True, pretrained=False)

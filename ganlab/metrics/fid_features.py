"""The feature nets FID embeds images with: torchmetrics' FID Inception for real data, and
for embedded data the domain feature net ganlab trains itself (zoo `features-<data><size>`).

Both are nn.Modules mapping images in [-1, 1] to [B, num_features], as torchmetrics'
FrechetInceptionDistance expects of a custom `feature`, and say what they are: `name`,
`fingerprint()` (a hash of their weights) and `scores` (a domain net's held-out accuracy).
Inception's weights are never downloaded: a missing file fails saying where to put it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import torch
from torch import nn

from ganlab.metrics.reference_stats import tensor_digest

# torch-fidelity's name for the FID Inception (what torchmetrics would download), then
# pytorch-fid's name for the same weights.
INCEPTION_FILES = ("weights-inception-2015-12-05-6726825d.pth", "pt_inception-2015-12-05-6726825d.pth")


class FeatureExtractor(nn.Module):
    name: str
    num_features: int
    scores: dict[str, float]

    def fingerprint(self) -> str:
        """sha256 of the weights (names, shapes and bytes), computed once."""
        if not hasattr(self, "_fingerprint"):
            digests = "".join(f"{key}:{tensor_digest(value)};" for key, value in self.state_dict().items())
            self._fingerprint = hashlib.sha256(digests.encode()).hexdigest()[:16]
        return self._fingerprint

    def describe(self) -> str:
        scores = ", ".join(f"{k} {v:.3f}" for k, v in self.scores.items())
        return f"{self.name} [{self.fingerprint()}]" + (f" (held-out {scores})" if scores else "")


class DomainFeatures(FeatureExtractor):
    """The penultimate layer of a ganlab.methods.judges.feature_net.DomainFeatureNet."""

    def __init__(self, net: nn.Module, name: str, scores: dict[str, float] | None = None):
        super().__init__()
        if not hasattr(net, "features") or not hasattr(net, "num_features"):
            raise TypeError(f"{name}: not a domain feature net (needs .features(x) and .num_features), "
                            f"got {type(net).__name__}")
        self.net, self.name, self.num_features = net.eval(), name, net.num_features
        self.scores = dict(scores or {})

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net.features(images)


def inception_weights_path(path: str | None = None) -> Path:
    """The FID Inception weights file: `path` if given, else torch's hub cache."""
    if path is not None:
        if not Path(path).is_file():
            raise FileNotFoundError(f"metric.features.inception_weights={path}: no such file (the FID Inception "
                                    f"weights, {INCEPTION_FILES[0]})")
        return Path(path)
    folder = Path(torch.hub.get_dir()) / "checkpoints"
    for name in INCEPTION_FILES:
        if (folder / name).is_file():
            return folder / name
    torch_home = os.environ.get("TORCH_HOME", "~/.cache/torch (TORCH_HOME unset)")
    raise FileNotFoundError(
        f"FID Inception weights not found: put {INCEPTION_FILES[0]} (torch-fidelity's release file, the one "
        f"torchmetrics downloads; pytorch-fid's {INCEPTION_FILES[1]} is the same network) in {folder}/ "
        f"(torch hub cache = $TORCH_HOME/hub/checkpoints, TORCH_HOME={torch_home}), or point "
        f"metric.features.inception_weights=PATH at it. ganlab never downloads it. For embedded data use the "
        f"domain feature net instead: metric=fid_synthfaces / fid_digits / fid_multidigits "
        f"(metric.features.name=features-<data><size>, trained by ganlab).")


class InceptionFeatures(FeatureExtractor):
    """torchmetrics' FID Inception-v3 (pool3, 2048-d), the network FID papers report with.
    Grey images are repeated to RGB; [-1, 1] is mapped to the 0..255 it expects."""

    def __init__(self, weights: str | None = None):
        super().__init__()
        from torchmetrics.image.fid import NoTrainInceptionV3

        path = inception_weights_path(weights)
        torch.load(path, map_location="cpu", weights_only=True)  # refuses a file that carries code
        self.inception = NoTrainInceptionV3(name="inception-v3-compat", features_list=["2048"],
                                            feature_extractor_weights_path=str(path))
        self.name, self.num_features, self.scores = "inception", 2048, {}

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        pixels = ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        return self.inception(pixels)

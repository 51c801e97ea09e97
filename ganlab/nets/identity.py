"""Identity embedders: unit vectors whose cosine says whether two images show the same
person. Both kinds are frozen and stay in eval mode: ganlab's synthfaces identity-factor
net from the zoo, and ArcFace (ganlab.nets.arcface) for real faces."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.data.resize import resize


class IdentityEmbedder(nn.Module):
    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """Images in [-1, 1] -> unit embeddings [B, D] (differentiable w.r.t. the images)."""
        raise NotImplementedError

    def similarity(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Cosine identity similarity per image pair, [B]."""
        return (self.embed(a) * self.embed(b)).sum(1)

    def train(self, mode: bool = True) -> IdentityEmbedder:
        return super().train(False)  # a fixed judge: BatchNorm statistics must not move


class ZooIdentity(IdentityEmbedder):
    """A ganlab identity net (from configs: the zoo's identity-synthfaces32), images resized to
    its input size."""

    def __init__(self, net: nn.Module, input_size: int = 32):
        super().__init__()
        self.net = net
        self.input_size = input_size
        self.requires_grad_(False)
        self.eval()

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        return self.net.embed(resize(images, self.input_size))

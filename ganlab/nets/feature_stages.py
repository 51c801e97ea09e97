"""A convolutional feature network read as a perceptual backbone: its conv stack split after
each activation, so one image gives one feature map per depth (as LPIPS reads AlexNet's five
stages). Takes the module itself (e.g. the zoo's domain feature net, whose conv stack is
`.net.features`), never a name."""

from __future__ import annotations

import copy

import torch
from torch import nn

ACTIVATIONS = (nn.ReLU, nn.LeakyReLU)


def conv_stack(network: nn.Module) -> nn.Sequential:
    """The network's convolutional part: `.features`, or `.net.features` of a wrapper."""
    for candidate in (network, getattr(network, "net", None)):
        stack = getattr(candidate, "features", None)
        if isinstance(stack, nn.Sequential):
            return stack
    raise ValueError(f"perceptual.backbone: {type(network).__name__} has no convolutional stack "
                     "(an nn.Sequential at .features or .net.features) to read feature maps from")


class FeatureStages(nn.Module):
    def __init__(self, network: nn.Module):
        super().__init__()
        stages, current = [], []
        for layer in conv_stack(network):
            current.append(layer)
            if isinstance(layer, ACTIVATIONS):
                stages.append(nn.Sequential(*current))
                current = []
        if not stages:
            raise ValueError(f"perceptual.backbone: {type(network).__name__}'s conv stack has no ReLU / LeakyReLU "
                             "to end a feature stage at")
        self.stages = nn.ModuleList(stages)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        outputs, h = [], images
        for stage in self.stages:
            h = stage(h)
            outputs.append(h)
        return outputs

    def fresh_copy(self) -> FeatureStages:
        """The same structure, trainable, re-initialised (running statistics included)."""
        twin = copy.deepcopy(self)
        for layer in twin.modules():
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
        return twin.requires_grad_(True)

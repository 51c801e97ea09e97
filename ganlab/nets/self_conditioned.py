"""SCGAN's self-conditioned StyleGAN2 generator (Liu et al. 2022): the pretrained generator
with its learned 4x4 constant replaced by K = 3n + 1 constants, one per mode: a base mode
plus a low / mid / high mode for each of n attributes. The synthesis input is the
mode-weighted sum of the constants; the base mode is always on (weight 1) and the mid mode
adds nothing beyond the base (its weight is zeroed, as in the authors' code), so an image at
the middle of every attribute's range is drawn from the base constant alone. Every other
weight is the pretrained generator's.

State-dict layout: the wrapped generator's keys are rosinality's, except `input.input`
becomes `input.multiinput` [1, C, 4, 4, K] (mode k = [..., k]; mode 0 the base, modes
1 + 3a + (0, 1, 2) attribute a's low / mid / high): the layout of the authors' released
Generator_MMD."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn

from ganlab.nets.stylegan2 import Generator

LEVELS = 3  # low, mid, high
MODE_INITS = ("zero", "copy")


def num_modes(num_attributes: int) -> int:
    return LEVELS * num_attributes + 1


def mode_weights(levels: torch.Tensor) -> torch.Tensor:
    """Soft labels per attribute [B, n, 3] -> the constants' weights [B, 3n + 1]: the base
    mode on, each attribute's mid mode off."""
    if levels.ndim != 3 or levels.shape[2] != LEVELS:
        raise ValueError(f"mode levels must be [B, n_attributes, {LEVELS}], got {tuple(levels.shape)}")
    weights = levels.clone()
    weights[:, :, 1] = 0
    base = torch.ones(levels.shape[0], 1, dtype=levels.dtype, device=levels.device)
    return torch.cat([base, weights.flatten(1)], 1)


class MultiModeInput(nn.Module):
    """K learned 4x4 constants; the output is their weighted sum with the weights set by
    `SelfConditionedGenerator` for the duration of one call (StyleGAN2's synthesis calls its
    input module with the latents only)."""

    def __init__(self, constant: torch.Tensor, modes: int, init: str = "zero"):
        super().__init__()
        if init not in MODE_INITS:
            raise ValueError(f"mode_init must be one of {MODE_INITS}, got {init!r}")
        constant = constant.detach()
        stacked = constant.unsqueeze(-1).repeat(1, 1, 1, 1, modes)
        if init == "zero":
            stacked[..., 1:] = 0
        self.multiinput = nn.Parameter(stacked)
        self.weights: torch.Tensor | None = None

    @property
    def modes(self) -> int:
        return self.multiinput.shape[-1]

    @contextmanager
    def weighted(self, weights: torch.Tensor) -> Iterator[None]:
        if weights.ndim != 2 or weights.shape[1] != self.modes:
            raise ValueError(f"mode weights must be [B, {self.modes}], got {tuple(weights.shape)}")
        self.weights = weights
        try:
            yield
        finally:
            self.weights = None

    def forward(self, batch_like: torch.Tensor) -> torch.Tensor:
        if self.weights is None:
            raise RuntimeError("MultiModeInput needs mode weights: call the generator through "
                               "SelfConditionedGenerator (forward / synthesis with `levels`)")
        if self.weights.shape[0] != batch_like.shape[0]:
            raise ValueError(f"{self.weights.shape[0]} mode-weight rows for a batch of {batch_like.shape[0]}")
        return torch.einsum("bk,chwk->bchw", self.weights.to(self.multiinput), self.multiinput[0])


class SelfConditionedGenerator(nn.Module):
    """generator: a pretrained StyleGAN2 Generator (copied, left untouched);
    num_attributes: n; mode_init: how the 3n non-base constants start — "copy" (each a copy
    of the pretrained constant, as the authors initialise them: a mode at full weight starts
    as a doubled input, a handle fine-tuning turns into the attribute) or "zero" (every mode
    starts as the pretrained generator exactly; the modes learn offsets, far more slowly).

    Calls take `levels` [B, n, 3]: per attribute, soft weights of its low / mid / high
    modes (ganlab.editing.self_labels.soft_labels); everything else is the Generator's."""

    def __init__(self, generator: Generator, num_attributes: int, mode_init: str = "copy"):
        super().__init__()
        if num_attributes < 1:
            raise ValueError(f"num_attributes must be >= 1, got {num_attributes}")
        self.num_attributes = num_attributes
        self.generator = copy.deepcopy(generator)
        self.generator.input = MultiModeInput(generator.input.input, num_modes(num_attributes), mode_init)

    # The Generator's vocabulary, so training and editing code can treat both alike.
    @property
    def style(self) -> nn.Module:
        return self.generator.style

    @property
    def style_dim(self) -> int:
        return self.generator.style_dim

    @property
    def n_latent(self) -> int:
        return self.generator.n_latent

    @property
    def num_layers(self) -> int:
        return self.generator.num_layers

    @property
    def size(self) -> int:
        return self.generator.size

    @property
    def img_channels(self) -> int:
        return self.generator.img_channels

    @property
    def w_avg(self) -> torch.Tensor:
        return self.generator.w_avg

    def layer_resolution(self, i: int) -> int:
        return self.generator.layer_resolution(i)

    def set_w_avg(self, latent_avg: torch.Tensor) -> None:
        self.generator.set_w_avg(latent_avg)

    @property
    def constants(self) -> torch.Tensor:
        """The K mode constants, [K, C, 4, 4]."""
        return self.generator.input.multiinput[0].permute(3, 0, 1, 2)

    def _check(self, levels: torch.Tensor) -> torch.Tensor:
        if levels.ndim != 3 or levels.shape[1] != self.num_attributes:
            raise ValueError(f"levels must be [B, {self.num_attributes}, 3], got {tuple(levels.shape)}")
        return mode_weights(levels)

    def synthesis(self, wplus: torch.Tensor, levels: torch.Tensor, **kwargs):
        """W+ [B, n_latent, D] and levels [B, n, 3] -> image (Generator.synthesis's keywords)."""
        with self.generator.input.weighted(self._check(levels)):
            return self.generator.synthesis(wplus, **kwargs)

    def forward(self, styles: Sequence[torch.Tensor] | torch.Tensor, levels: torch.Tensor, **kwargs):
        """rosinality's call with the mode levels added: returns (image, W+ or None)."""
        with self.generator.input.weighted(self._check(levels)):
            return self.generator(styles, **kwargs)


class SelfLabelledInput(nn.Module):
    """The mode constants weighted by the self-labels of the code being rendered (the mean of
    its W+ entries, labelled by the fitted boundaries): SCGAN's generator becomes a plain
    W -> image map, drawing each code at the modes its own labels give, as SCGAN draws an
    image at the self-labels of its inverted code. An edit that moves the code across a
    boundary moves its modes with it. `labels`: fitted self-labels, W codes [N, D] -> soft
    labels [N, A, 3] (ganlab.editing.self_labels.SelfLabels; nets do not import editing)."""

    def __init__(self, multiinput: torch.Tensor, labels: nn.Module):
        super().__init__()
        if not bool(labels.fitted):
            raise ValueError("SelfLabelledInput needs fitted self-labels (an SCGAN stage that has trained)")
        self.multiinput = nn.Parameter(multiinput.detach().clone())
        self.labels = copy.deepcopy(labels)

    @property
    def input(self) -> torch.Tensor:
        """What a Generator reads its device from (ConstantInput's name)."""
        return self.multiinput

    def forward(self, wplus: torch.Tensor) -> torch.Tensor:
        weights = mode_weights(self.labels(wplus.mean(1)))  # Generator.synthesis passes W+ [B, L, D]
        return torch.einsum("bk,chwk->bchw", weights.to(self.multiinput), self.multiinput[0])


def self_labelled_generator(generator: SelfConditionedGenerator, labels: nn.Module) -> Generator:
    """A copy of the self-conditioned generator as a plain Generator whose input is set by
    the self-labels of the code (`SelfLabelledInput`): inverters, editors and evaluations
    use it as any StyleGAN2."""
    plain = copy.deepcopy(generator.generator)
    plain.input = SelfLabelledInput(generator.generator.input.multiinput, labels)
    return plain

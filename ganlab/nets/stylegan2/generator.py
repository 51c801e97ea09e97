"""StyleGAN2 generator (config-e/f skip architecture), state-dict compatible with
rosinality/stylegan2-pytorch's `Generator`.

Vocabulary: Z = input noise [B, D]; W = mapped latent [B, D] (`style(z)`); W+ = one latent per
style input [B, n_latent, D]. Styled-conv layer index i (used by `noise` and `features`):
i = 0 is `conv1` at 4x4; i >= 1 is `convs[i - 1]`, at resolution 2 ** ((i + 5) // 2), odd i
being the upsampling conv of that resolution. There are `num_layers` of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import torch
from torch import nn

from .channels import check_size, resolve_channels
from .layers import DEFAULT_BLUR, BlurKernel, EqualLinear, PixelNorm
from .modulated import ConstantInput, ModulatedConv2d, StyledConv, ToRGB

FeatureValue = torch.Tensor | Callable[[torch.Tensor], torch.Tensor]


class Generator(nn.Module):
    def __init__(
        self,
        size: int,
        style_dim: int = 512,
        n_mlp: int = 8,
        channel_multiplier: int = 2,
        lr_mlp: float = 0.01,
        blur_kernel: BlurKernel = DEFAULT_BLUR,
        channels: Mapping | int | None = None,
        img_channels: int = 3,
        fused_modconv: bool = True,
        noise_max_resolution: int | None = None,
    ):
        """fused_modconv=False runs modulated convs on the activations with shared weights
        instead of one grouped conv with per-sample weights: same maths, about 2x faster to
        train on a CPU at 32 px; True is faster for large models / small batches on a GPU.
        noise_max_resolution: styled convs above it add no noise (their noise strength is a
        zero buffer, not a parameter); None: every styled conv adds noise (StyleGAN2)."""
        super().__init__()
        self.size, self.style_dim, self.n_mlp = size, style_dim, n_mlp
        self.lr_mlp, self.blur_kernel = lr_mlp, tuple(blur_kernel)
        self.log_size = check_size(size)
        self.channels = resolve_channels(channels, channel_multiplier, size)
        self.img_channels = img_channels
        ch = self.channels

        # Mapping network Z -> W; index 0 is PixelNorm, so linears are style.1 .. style.n_mlp.
        self.style = nn.Sequential(PixelNorm(), *[
            EqualLinear(style_dim, style_dim, lr_mul=lr_mlp, activation="fused_lrelu")
            for _ in range(n_mlp)])

        self.input = ConstantInput(ch[4])
        self.noise_max_resolution = noise_max_resolution

        def noisy(resolution: int) -> bool:
            return noise_max_resolution is None or resolution <= noise_max_resolution

        self.conv1 = StyledConv(ch[4], ch[4], 3, style_dim, blur_kernel=blur_kernel, noise=noisy(4))
        self.to_rgb1 = ToRGB(ch[4], style_dim, upsample=False, out_channels=img_channels)

        self.num_layers = (self.log_size - 2) * 2 + 1
        self.n_latent = self.log_size * 2 - 2
        self.convs = nn.ModuleList()
        self.upsamples = nn.ModuleList()  # always empty in rosinality too; kept for parity
        self.to_rgbs = nn.ModuleList()
        self.noises = nn.Module()
        # Fixed noise maps (persistent: they are in rosinality's checkpoints as noises.noise_i).
        for i in range(self.num_layers):
            res = self.layer_resolution(i)
            self.noises.register_buffer(f"noise_{i}", torch.randn(1, 1, res, res))

        in_ch = ch[4]
        for log_res in range(3, self.log_size + 1):
            out_ch = ch[2**log_res]
            self.convs.append(StyledConv(in_ch, out_ch, 3, style_dim, upsample=True,
                                         blur_kernel=blur_kernel, noise=noisy(2**log_res)))
            self.convs.append(StyledConv(out_ch, out_ch, 3, style_dim, blur_kernel=blur_kernel,
                                         noise=noisy(2**log_res)))
            self.to_rgbs.append(ToRGB(out_ch, style_dim, blur_kernel=blur_kernel,
                                      out_channels=img_channels))
            in_ch = out_ch

        for m in self.modules():
            if isinstance(m, ModulatedConv2d):
                m.fused = fused_modconv

        # Running mean of W for truncation. Not persistent: rosinality's g_ema has no such key;
        # checkpoints carry it as top-level `latent_avg` instead (see checkpoint.py).
        self.register_buffer("w_avg", torch.zeros(style_dim), persistent=False)
        self.w_avg_initialized = False

    # ----------------------------------------------------------------- latents
    @staticmethod
    def layer_resolution(i: int) -> int:
        """Output resolution of styled-conv layer i."""
        return 2 ** ((i + 5) // 2)

    def layer_channels(self, i: int) -> int:
        return self.channels[self.layer_resolution(i)]

    def get_latent(self, z: torch.Tensor) -> torch.Tensor:
        return self.style(z)

    @torch.no_grad()
    def mean_latent(self, n: int = 4096, store: bool = False) -> torch.Tensor:
        """Monte-Carlo mean of W over n samples of Z, shape [1, style_dim]. store=True also
        writes it to `w_avg` (used by truncation when no truncation_latent is given)."""
        z = torch.randn(n, self.style_dim, device=self.input.input.device)
        w = self.style(z).mean(0, keepdim=True)
        if store:
            self.w_avg.copy_(w[0])
            self.w_avg_initialized = True
        return w

    @torch.no_grad()
    def update_w_avg(self, w: torch.Tensor, beta: float = 0.995) -> None:
        """EMA of W as in StyleGAN2-ADA: w_avg <- lerp(mean(w), w_avg, beta). Call from the
        training step with the W batch the generator just used."""
        batch_mean = w.detach().reshape(-1, self.style_dim).mean(0).to(self.w_avg.dtype)
        if not self.w_avg_initialized:
            self.w_avg.copy_(batch_mean)
            self.w_avg_initialized = True
        else:
            self.w_avg.copy_(batch_mean.lerp(self.w_avg, beta))

    def set_w_avg(self, latent_avg: torch.Tensor) -> None:
        self.w_avg.copy_(latent_avg.detach().reshape(self.style_dim))
        self.w_avg_initialized = True

    def make_noise(self) -> list[torch.Tensor]:
        """Fresh noise maps, one per styled conv, [1, 1, res, res] each."""
        dev = self.input.input.device
        return [torch.randn(1, 1, r, r, device=dev)
                for r in map(self.layer_resolution, range(self.num_layers))]

    def _truncation_latent(self, truncation_latent: torch.Tensor | None) -> torch.Tensor:
        if truncation_latent is not None:
            return truncation_latent
        if not self.w_avg_initialized:
            raise RuntimeError("truncation < 1 needs truncation_latent, or w_avg set first via "
                               "mean_latent(n, store=True), update_w_avg() or a checkpoint "
                               "with latent_avg")
        return self.w_avg.view(1, self.style_dim)

    def to_wplus(
        self,
        styles: Sequence[torch.Tensor] | torch.Tensor,
        input_is_latent: bool = False,
        truncation: float = 1.0,
        truncation_latent: torch.Tensor | None = None,
        inject_index: int | None = None,
    ) -> torch.Tensor:
        """rosinality's latent handling: list of Z (or W if input_is_latent) -> W+.

        One entry: [B, D] is broadcast to all n_latent inputs, a [B, n_latent, D] tensor is used
        as W+. Two entries: style mixing, the first for inputs < inject_index and the second
        after (inject_index drawn from torch's RNG in [1, n_latent - 1] when None).
        """
        if isinstance(styles, torch.Tensor):
            styles = [styles]
        if not input_is_latent:
            styles = [self.style(s) for s in styles]
        if truncation < 1:
            t = self._truncation_latent(truncation_latent)
            styles = [t + truncation * (s - t) for s in styles]

        if len(styles) == 1:
            s = styles[0]
            return s if s.ndim == 3 else s.unsqueeze(1).expand(-1, self.n_latent, -1)
        if len(styles) != 2:
            raise ValueError(f"expected 1 or 2 style inputs, got {len(styles)}")
        if inject_index is None:
            inject_index = int(torch.randint(1, self.n_latent, ()).item())
        a = styles[0].unsqueeze(1).expand(-1, inject_index, -1)
        b = styles[1].unsqueeze(1).expand(-1, self.n_latent - inject_index, -1)
        return torch.cat([a, b], 1)

    # --------------------------------------------------------------- synthesis
    def _noise_list(self, noise, randomize_noise: bool) -> list[torch.Tensor | None]:
        if noise is not None:
            if len(noise) != self.num_layers:
                raise ValueError(f"need {self.num_layers} noise maps, got {len(noise)}")
            return list(noise)
        if randomize_noise:
            return [None] * self.num_layers
        return [getattr(self.noises, f"noise_{i}") for i in range(self.num_layers)]

    def synthesis(
        self,
        wplus: torch.Tensor,
        noise: Sequence[torch.Tensor | None] | None = None,
        randomize_noise: bool = False,
        features: Mapping[int, FeatureValue] | None = None,
        feature_mode: str = "add",
        return_features: bool = False,
    ):
        """W+ [B, n_latent, D] -> image [B, img_channels, size, size] (roughly in [-1, 1]).

        noise: list of num_layers maps (None entries = fresh noise); None -> the stored
        `noises` buffers, or fresh noise everywhere when randomize_noise.
        features: {layer index i: value} edits the activations right after styled conv i (see
        the module docstring for the index; shape [B, layer_channels(i), r, r] with
        r = layer_resolution(i)). A tensor is added (feature_mode="add") or replaces the
        activations ("replace"); a callable f(act) -> act allows any fusion (e.g. HFGI's
        scale/shift). Later layers and the RGB skip path see the edited activations.
        return_features: also return the list of (edited) activations of every styled conv.
        """
        if wplus.ndim != 3 or wplus.shape[1] != self.n_latent:
            raise ValueError(f"wplus must be [B, {self.n_latent}, {self.style_dim}], "
                             f"got {tuple(wplus.shape)}")
        if feature_mode not in ("add", "replace"):
            raise ValueError(f"feature_mode must be 'add' or 'replace', got {feature_mode!r}")
        features = dict(features or {})
        bad = [i for i in features if not 0 <= int(i) < self.num_layers]
        if bad:
            raise ValueError(f"feature layer indices {bad} outside 0..{self.num_layers - 1}")
        noise = self._noise_list(noise, randomize_noise)
        acts: list[torch.Tensor] = []

        def edit(i: int, act: torch.Tensor) -> torch.Tensor:
            f = features.get(i)
            if f is not None:
                if callable(f) and not isinstance(f, torch.Tensor):
                    act = f(act)
                else:
                    act = act + f if feature_mode == "add" else f.expand_as(act)
            if return_features:
                acts.append(act)
            return act

        out = self.input(wplus)
        if not self.conv1.conv.fused:  # the fused path folds the batch into channels instead
            # oneDNN convolves channels-last activations faster on CPU (~15 % of a training step)
            out = out.contiguous(memory_format=torch.channels_last)
        out = edit(0, self.conv1(out, wplus[:, 0], noise=noise[0]))
        skip = self.to_rgb1(out, wplus[:, 1])
        # Each resolution consumes 2 conv latents; its ToRGB shares the next conv's latent index.
        for j, to_rgb in enumerate(self.to_rgbs):
            i = 2 * j + 1
            out = edit(i, self.convs[2 * j](out, wplus[:, i], noise=noise[i]))
            out = edit(i + 1, self.convs[2 * j + 1](out, wplus[:, i + 1], noise=noise[i + 1]))
            skip = to_rgb(out, wplus[:, i + 2], skip)
        skip = skip.contiguous()  # images leave in the default layout, whatever ran inside
        return (skip, acts) if return_features else skip

    def forward(
        self,
        styles: Sequence[torch.Tensor] | torch.Tensor,
        return_latents: bool = False,
        inject_index: int | None = None,
        truncation: float = 1.0,
        truncation_latent: torch.Tensor | None = None,
        input_is_latent: bool = False,
        noise: Sequence[torch.Tensor | None] | None = None,
        randomize_noise: bool = True,
        features: Mapping[int, FeatureValue] | None = None,
        feature_mode: str = "add",
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """rosinality's call: returns (image, W+ if return_latents else None)."""
        wplus = self.to_wplus(styles, input_is_latent, truncation, truncation_latent,
                              inject_index)
        image = self.synthesis(wplus, noise, randomize_noise, features, feature_mode)
        return image, (wplus if return_latents else None)

    def extra_repr(self) -> str:
        return (f"size={self.size}, style_dim={self.style_dim}, n_mlp={self.n_mlp}, "
                f"n_latent={self.n_latent}, channels={self.channels}")

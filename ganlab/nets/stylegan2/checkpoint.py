"""Read / write rosinality-format StyleGAN2 checkpoints: a dict of plain state dicts
{'g_ema', 'g', 'd', 'latent_avg', ...}. Architecture is inferred from tensor shapes, so the
official FFHQ config-f conversion and ganlab-trained models load the same way."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .discriminator import Discriminator
from .generator import Generator
from .layers import DEFAULT_BLUR

# Written by save_rosinality; rosinality's own code ignores unknown top-level keys.
CONFIG_KEY = "ganlab_config"


@dataclass
class StyleGAN2Checkpoint:
    g_ema: Generator
    g: Generator | None = None
    d: Discriminator | None = None
    latent_avg: torch.Tensor | None = None
    # Inferred architecture and every other top-level entry of the file (args, optimisers...).
    config: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def missing_checkpoint_message(path: str | os.PathLike) -> str:
    return (f"StyleGAN2 checkpoint not found: {path}. Put a rosinality-format .pt file there "
            "(a dict with 'g_ema' and optionally 'latent_avg', 'g', 'd'; official TF weights "
            "can be converted with rosinality's convert_weight.py), set "
            "generator.checkpoint=PATH, or use a zoo generator such as "
            "generator=stylegan2_synthfaces.")


def read_checkpoint(path: str | os.PathLike, map_location) -> dict:
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(missing_checkpoint_message(path))
    # rosinality's train.py pickles its argparse.Namespace under 'args'; allow just that class.
    with torch.serialization.safe_globals([argparse.Namespace]):
        return torch.load(path, map_location=map_location, weights_only=True)


def infer_generator_config(sd: Mapping[str, torch.Tensor]) -> dict[str, Any]:
    """size, style_dim, n_mlp, channels, img_channels from a Generator state dict."""
    if "input.input" not in sd or "style.1.weight" not in sd:
        raise ValueError("not a StyleGAN2 generator state dict (no 'input.input' / "
                         "'style.1.weight')")
    n_mlp = sum(1 for k in sd if re.fullmatch(r"style\.\d+\.weight", k))
    n_rgb = sum(1 for k in sd if re.fullmatch(r"to_rgbs\.\d+\.bias", k))
    channels = {4: sd["input.input"].shape[1]}
    for j in range(n_rgb):
        channels[2 ** (j + 3)] = sd[f"convs.{2 * j}.conv.weight"].shape[1]
    return {"size": 2 ** (n_rgb + 2), "style_dim": sd["style.1.weight"].shape[1],
            "n_mlp": n_mlp, "channels": channels, "img_channels": sd["to_rgb1.bias"].shape[1]}


def infer_discriminator_config(sd: Mapping[str, torch.Tensor]) -> dict[str, Any]:
    n_blocks = sum(1 for k in sd if re.fullmatch(r"convs\.\d+\.conv1\.0\.weight", k))
    size = 2 ** (n_blocks + 2)
    w0 = sd["convs.0.0.weight"]
    channels = {size: w0.shape[0], 4: sd["final_conv.0.weight"].shape[0]}
    for k in range(1, n_blocks + 1):
        channels[size >> k] = sd[f"convs.{k}.conv2.1.weight"].shape[0]
    return {"size": size, "channels": channels, "img_channels": w0.shape[1]}


def load_strict(module: nn.Module, sd: Mapping[str, torch.Tensor], what: str) -> None:
    """load_state_dict(strict=True) with a readable report of key / shape mismatches."""
    own = module.state_dict()
    missing = sorted(set(own) - set(sd))
    unexpected = sorted(set(sd) - set(own))
    shapes = [f"{k}: checkpoint {tuple(sd[k].shape)} vs model {tuple(own[k].shape)}"
              for k in own if k in sd and sd[k].shape != own[k].shape]
    if missing or unexpected or shapes:
        def show(xs):
            return ", ".join(xs[:20]) + (f" ... (+{len(xs) - 20})" if len(xs) > 20 else "")
        raise RuntimeError(f"{what}: state dict does not match the StyleGAN2 layout.\n"
                           f"  missing keys ({len(missing)}): {show(missing)}\n"
                           f"  unexpected keys ({len(unexpected)}): {show(unexpected)}\n"
                           f"  shape mismatches ({len(shapes)}): {show(shapes)}")
    module.load_state_dict(sd, strict=True)


def load_rosinality(
    path_or_dict: str | os.PathLike | Mapping[str, Any],
    with_g: bool = False,
    with_d: bool = False,
    map_location: str | torch.device = "cpu",
    lr_mlp: float | None = None,
    blur_kernel: tuple[int, ...] | None = None,
) -> StyleGAN2Checkpoint:
    """Build and strictly load g_ema (and g / d when asked) from a rosinality checkpoint.

    path_or_dict: a .pt path, a loaded checkpoint dict, or a bare generator state dict.
    Architecture comes from shapes; lr_mlp and blur_kernel cannot be read from shapes, so they
    come from the file's ganlab_config, then the arguments, then rosinality defaults
    (0.01, (1, 3, 3, 1)); so does noise_max_resolution (file, else None: noise everywhere).
    g_ema.w_avg is set from 'latent_avg' when present.
    """
    ckpt = read_checkpoint(path_or_dict, map_location) if isinstance(path_or_dict, (str, os.PathLike)) \
        else dict(path_or_dict)
    if "g_ema" not in ckpt and "style.1.weight" in ckpt:
        ckpt = {"g_ema": ckpt}
    if "g_ema" not in ckpt:
        raise KeyError(f"checkpoint has no 'g_ema' entry (top-level keys: {sorted(ckpt)})")
    saved = dict(ckpt.get(CONFIG_KEY) or {})
    lr_mlp = saved.get("lr_mlp", 0.01) if lr_mlp is None else lr_mlp
    blur = tuple(saved.get("blur_kernel", DEFAULT_BLUR) if blur_kernel is None else blur_kernel)

    gcfg = {**infer_generator_config(ckpt["g_ema"]), "lr_mlp": lr_mlp, "blur_kernel": blur,
            "noise_max_resolution": saved.get("noise_max_resolution")}

    def build_g(key: str) -> Generator:
        g = Generator(**gcfg)
        load_strict(g, ckpt[key], f"'{key}'")
        return g

    out = StyleGAN2Checkpoint(g_ema=build_g("g_ema"))
    config: dict[str, Any] = {"generator": gcfg}
    for want, key in ((with_g, "g"), (with_d, "d")):
        if want and key not in ckpt:
            raise KeyError(f"checkpoint has no '{key}' entry (top-level keys: {sorted(ckpt)})")
    if with_g:
        out.g = build_g("g")
    if with_d:
        dcfg = infer_discriminator_config(ckpt["d"])
        out.d = Discriminator(**dcfg, blur_kernel=blur)
        load_strict(out.d, ckpt["d"], "'d'")
        config["discriminator"] = dcfg
    latent_avg = ckpt.get("latent_avg")
    if latent_avg is not None:
        out.latent_avg = latent_avg.reshape(-1)
        out.g_ema.set_w_avg(out.latent_avg)
        if out.g is not None:
            out.g.set_w_avg(out.latent_avg)
    out.config = config
    out.extra = {k: v for k, v in ckpt.items()
                 if k not in ("g_ema", "g", "d", "latent_avg", CONFIG_KEY)}
    return out


def _cpu_state(m: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in m.state_dict().items()}


def save_rosinality(
    path: str | os.PathLike,
    g_ema: Generator,
    g: Generator | None = None,
    d: Discriminator | None = None,
    latent_avg: torch.Tensor | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write {'g_ema', ['g'], ['d'], ['latent_avg'], 'ganlab_config', **extra} as plain CPU
    tensors (no pickled classes, loadable with weights_only=True and by rosinality's scripts).
    latent_avg defaults to g_ema.w_avg once that has been set. The write is atomic."""
    ckpt: dict[str, Any] = {"g_ema": _cpu_state(g_ema)}
    if g is not None:
        ckpt["g"] = _cpu_state(g)
    if d is not None:
        ckpt["d"] = _cpu_state(d)
    if latent_avg is None and g_ema.w_avg_initialized:
        latent_avg = g_ema.w_avg
    if latent_avg is not None:
        ckpt["latent_avg"] = latent_avg.detach().cpu().reshape(-1).clone()
    ckpt[CONFIG_KEY] = {"lr_mlp": float(g_ema.lr_mlp),
                        "blur_kernel": [float(v) for v in g_ema.blur_kernel],
                        "noise_max_resolution": g_ema.noise_max_resolution}
    for k, v in (extra or {}).items():
        if k in ckpt:
            raise KeyError(f"extra key {k!r} collides with a checkpoint entry")
        ckpt[k] = v
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(ckpt, tmp)
    os.replace(tmp, path)
    return path

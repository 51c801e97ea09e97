"""Pretrained StyleGAN2s for the editing recipes: a generator ganlab trained itself (from the
zoo by name, trained once and cached if absent) or any rosinality-format .pt file.

    g = pretrained_generator("stylegan2-synthfaces32")          # zoo
    g = pretrained_generator(checkpoint="stylegan2-ffhq-config-f.pt")

Parameters are left trainable; freeze them (`g.requires_grad_(False)`) where the generator
must stay fixed."""

from __future__ import annotations

from .checkpoint import StyleGAN2Checkpoint, _read, load_rosinality
from .generator import Generator


def pretrained_gan(name: str | None = "stylegan2-synthfaces32", checkpoint: str | None = None,
                   cache_dir: str | None = None, overrides: list[str] | None = None) -> StyleGAN2Checkpoint:
    """g_ema, g, d and latent_avg. `checkpoint` (a rosinality .pt path) wins over `name`;
    g and d are None when the file has no such entry. `cache_dir` / `overrides` go to
    ganlab.zoo.load (the overrides apply only if the zoo must train the model)."""
    if checkpoint:
        ckpt = _read(checkpoint, "cpu")  # a missing file fails with where to put it
        gan = load_rosinality(ckpt, with_g="g" in ckpt, with_d="d" in ckpt)
    elif name:
        gan = _from_zoo(name, cache_dir, overrides)
    else:
        raise ValueError("pretrained StyleGAN2: give a zoo name (e.g. stylegan2-synthfaces32) or "
                         "checkpoint=PATH to a rosinality-format .pt file")
    gan.g_ema.eval()
    return gan


def pretrained_generator(name: str | None = "stylegan2-synthfaces32", checkpoint: str | None = None,
                         cache_dir: str | None = None, overrides: list[str] | None = None) -> Generator:
    """The EMA generator in eval mode, with w_avg set from latent_avg (truncation works)."""
    return pretrained_gan(name, checkpoint, cache_dir, overrides).g_ema


def _from_zoo(name: str, cache_dir: str | None, overrides: list[str] | None) -> StyleGAN2Checkpoint:
    from ganlab import zoo
    from ganlab.methods.gans.stylegan2 import StyleGAN2

    module = zoo.load(name, cache_dir=cache_dir, overrides=overrides)
    if not isinstance(module, StyleGAN2):
        raise TypeError(f"zoo model {name!r} is a {type(module).__name__}, not a StyleGAN2 "
                        f"(configs/zoo/{name}.yaml should name a stylegan2 recipe's stage)")
    if int(module.batches_seen) == 0:
        raise RuntimeError(f"zoo model {name!r} has never been trained (no latent_avg)")
    return StyleGAN2Checkpoint(g_ema=module.g_ema, g=module.g, d=module.d, latent_avg=module.latent_avg.clone(),
                               config={"zoo": name}, extra={"metrics": zoo.metrics(module)})

"""Pretrained parts by name: the loaders configs name (`_target_: ganlab.pretrained.*`) so that
networks and metrics below them receive modules, never names.

    g = pretrained_generator("stylegan2-synthfaces32")            # zoo: trained once, cached
    g = pretrained_generator(checkpoint="stylegan2-ffhq-config-f.pt")
    g = pretrained_generator("scgan-synthfaces32")  # SCGAN's, each code drawn at its self-labels
    features = fid_features("features-synthfaces32")               # or "inception"

StyleGAN2 parameters are left trainable; freeze them (`g.requires_grad_(False)`) where the
generator must stay fixed."""

from __future__ import annotations

from ganlab import zoo
from ganlab.methods.gans.stylegan2 import StyleGAN2
from ganlab.metrics.fid_features import DomainFeatures, FeatureExtractor, InceptionFeatures
from ganlab.nets.stylegan2.checkpoint import StyleGAN2Checkpoint, load_rosinality, read_checkpoint
from ganlab.nets.stylegan2.generator import Generator


def pretrained_gan(name: str | None = "stylegan2-synthfaces32", checkpoint: str | None = None,
                   cache_dir: str | None = None, overrides: list[str] | None = None) -> StyleGAN2Checkpoint:
    """g_ema, g, d and latent_avg. `checkpoint` (a rosinality .pt path) wins over `name`;
    g and d are None when the file has no such entry. `cache_dir` / `overrides` go to
    ganlab.zoo.load (the overrides apply only if the zoo must train the model)."""
    if checkpoint:
        ckpt = read_checkpoint(checkpoint, "cpu")  # a missing file fails with where to put it
        gan = load_rosinality(ckpt, with_g="g" in ckpt, with_d="d" in ckpt)
    elif name:
        gan = _from_zoo(name, cache_dir, overrides)
    else:
        raise ValueError("pretrained StyleGAN2: give a zoo name (e.g. stylegan2-synthfaces32) or "
                         "checkpoint=PATH to a rosinality-format .pt file")
    gan.g_ema.eval()
    return gan


def pretrained_generator(name: str | None = "stylegan2-synthfaces32", checkpoint: str | None = None,
                         cache_dir: str | None = None, overrides: list[str] | None = None,
                         data_overrides: dict | None = None) -> Generator:
    """The EMA generator in eval mode, with w_avg set from latent_avg (truncation works).
    `data_overrides` ({key: value}) join the zoo overrides as data.<key>=<value>: a recipe
    trained on a variant of the data (multidigits' row canvases) loads the generator of that
    variant."""
    extra = [f"data.{k}={v}" for k, v in (data_overrides or {}).items()]
    return pretrained_gan(name, checkpoint, cache_dir, [*(overrides or []), *extra]).g_ema


def _from_zoo(name: str, cache_dir: str | None, overrides: list[str] | None) -> StyleGAN2Checkpoint:
    module = zoo.load(name, cache_dir=cache_dir, overrides=overrides)
    if not isinstance(module, StyleGAN2):
        raise TypeError(f"zoo model {name!r} is a {type(module).__name__}, not a StyleGAN2 "
                        f"(configs/zoo/{name}.yaml should name a stylegan2 recipe's stage)")
    if int(module.batches_seen) == 0:
        raise RuntimeError(f"zoo model {name!r} has never been trained (no latent_avg)")
    self_labelled = getattr(module, "self_labelled", None)  # SCGAN: its modes set by the code's self-labels
    if self_labelled is not None:
        gan = self_labelled()
        gan.config["zoo"], gan.extra["metrics"] = name, zoo.metrics(module)
        return gan
    return StyleGAN2Checkpoint(g_ema=module.g_ema, g=module.g, d=module.d, latent_avg=module.latent_avg.clone(),
                               config={"zoo": name}, extra={"metrics": zoo.metrics(module)})


def fid_features(name: str, cache_dir: str | None = None, overrides: list[str] | None = None,
                 inception_weights: str | None = None) -> FeatureExtractor:
    """`inception` (torchmetrics' FID Inception; its weights file is never downloaded), or a
    zoo domain feature net (`features-synthfaces32`, ...), trained once by the zoo if absent
    (under `overrides`, e.g. debug=fdr)."""
    if name == "inception":
        return InceptionFeatures(inception_weights)
    net = zoo.load(name, cache_dir=cache_dir, overrides=overrides)
    held_out = {k.split("/", 1)[1]: v for k, v in zoo.metrics(net).items() if k.startswith("held_out/")}
    return DomainFeatures(net, name, held_out)

"""StyleGAN2 training module and pretrained loading: zoo round trips keep latent_avg,
rosinality files written after training load back to the same generator, missing files
fail with where to put them, and the module's own bookkeeping (lazy-R1 optimiser scaling,
EMA, W tracking, deterministic sampling)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hydra.utils import instantiate

from ganlab import zoo
from ganlab.methods.gans.stylegan2 import ROSINALITY_FILE, StyleGAN2, _lazy_regularisation
from ganlab.nets.stylegan2 import Discriminator, Generator, load_rosinality, save_rosinality
from ganlab.pretrained import pretrained_gan, pretrained_generator

from .test_resume import crash_and_resume

FAST = ["debug=fdr"]


def tiny_gan(img_channels: int = 1, **kwargs) -> StyleGAN2:
    torch.manual_seed(0)
    adam = lambda params: torch.optim.Adam(params, lr=1e-3, betas=(0.0, 0.99))
    return StyleGAN2(Generator(16, style_dim=16, n_mlp=2, channels=8, img_channels=img_channels),
                     Discriminator(16, channels=8, img_channels=img_channels), adam, adam, **kwargs)


def fixed_images(g: Generator, n: int = 3) -> torch.Tensor:
    """Images for fixed W (truncated halfway to w_avg) and the stored noise maps."""
    w = g.style(torch.randn(n, g.style_dim, generator=torch.Generator().manual_seed(1)))
    with torch.no_grad():
        return g([w], input_is_latent=True, truncation=0.5, randomize_noise=False)[0]


def test_zoo_generator_keeps_latent_avg(tmp_path):
    gan = pretrained_gan("stylegan2-digits32", cache_dir=str(tmp_path), overrides=FAST)
    module = zoo.load("stylegan2-digits32", cache_dir=str(tmp_path), overrides=FAST)  # now from the cache
    assert int(module.batches_seen) == 1
    assert module.latent_avg.abs().sum() > 0
    torch.testing.assert_close(gan.latent_avg, module.latent_avg)
    g = pretrained_generator("stylegan2-digits32", cache_dir=str(tmp_path), overrides=FAST)
    assert not g.training and g.w_avg_initialized and g.img_channels == 1 and g.size == 32
    torch.testing.assert_close(g.w_avg, module.latent_avg)
    images = module.sample(5, seed=2, truncation=0.7)
    assert images.shape == (5, 1, 32, 32) and images.min() >= -1 and images.max() <= 1
    assert torch.equal(images, module.sample(5, seed=2, truncation=0.7))
    assert not torch.equal(images, module.sample(5, seed=3, truncation=0.7))


def test_rosinality_export_loads_as_the_same_gan(tmp_path):
    module = zoo.load("stylegan2-digits32", cache_dir=str(tmp_path), overrides=FAST)
    exported = sorted(tmp_path.glob(f"zoo/*-run/{ROSINALITY_FILE}"))
    assert len(exported) == 1, "training should leave the rosinality file in the run folder"
    gan = pretrained_gan(checkpoint=str(exported[0]))
    assert gan.g is not None and gan.d is not None
    torch.testing.assert_close(gan.latent_avg, module.latent_avg)
    # The file does not record fused_modconv (a speed choice): same maths up to rounding.
    torch.testing.assert_close(fixed_images(gan.g_ema), fixed_images(module.g_ema), rtol=0, atol=1e-5)
    x = torch.randn(4, 1, 32, 32)
    torch.testing.assert_close(gan.d(x), module.d(x), rtol=0, atol=0)
    g = pretrained_generator(name=None, checkpoint=str(exported[0]))
    assert not g.training and torch.equal(g.w_avg, module.latent_avg)


def test_generator_only_file_gives_no_g_or_d(tmp_path):
    g = tiny_gan(3).g_ema
    path = save_rosinality(tmp_path / "g.pt", g, latent_avg=torch.ones(g.style_dim))
    gan = pretrained_gan(checkpoint=str(path))
    assert gan.g is None and gan.d is None and torch.equal(gan.g_ema.w_avg, torch.ones(g.style_dim))


def test_missing_checkpoint_names_path_and_switch(tmp_path):
    path = tmp_path / "nope.pt"
    with pytest.raises(FileNotFoundError, match="generator=stylegan2_synthfaces") as err:
        pretrained_generator(checkpoint=str(path))
    assert str(path) in str(err.value)
    with pytest.raises(ValueError, match="checkpoint=PATH"):
        pretrained_generator(name=None)


def test_ffhq_config_points_at_the_pretrained_folder(compose_cfg):
    cfg = compose_cfg("generator=stylegan2_ffhq", "paths.root_dir=/nowhere")
    with pytest.raises(Exception, match="/nowhere/pretrained/stylegan2-ffhq-config-f.pt") as err:
        instantiate(cfg.generator)
    assert "generator=stylegan2_synthfaces" in str(err.value)


def test_zoo_model_of_another_kind_is_refused(tmp_path):
    with pytest.raises(TypeError, match="not a StyleGAN2"):
        pretrained_generator("classifier-digits32", cache_dir=str(tmp_path), overrides=FAST)


def test_lazy_regularisation_scales_lr_and_betas():
    opt = _lazy_regularisation(torch.optim.Adam([torch.zeros(1)], lr=0.002, betas=(0.0, 0.99)), 16)
    c = 16 / 17
    assert opt.param_groups[0]["lr"] == pytest.approx(0.002 * c)
    assert opt.param_groups[0]["betas"] == pytest.approx((0.0, 0.99**c))


def test_ema_and_w_tracking():
    gan = tiny_gan(ema_half_life_kimg=0.01)  # half-life 10 images
    with torch.no_grad():
        for p in gan.g.parameters():
            p.add_(1.0)
    before = [p.clone() for p in gan.g_ema.parameters()]
    w1, w2 = torch.randn(10, 16), torch.randn(10, 16)
    gan._track(w1, 10)
    for old, ema, live in zip(before, gan.g_ema.parameters(), gan.g.parameters()):
        torch.testing.assert_close(ema, (old + live) / 2)  # one half-life: halfway
    torch.testing.assert_close(gan.latent_avg, w1.mean(0))  # the first batch sets it
    gan._track(w2, 10)
    torch.testing.assert_close(gan.latent_avg, w2.mean(0).lerp(w1.mean(0), 0.995))
    torch.testing.assert_close(gan.g_ema.w_avg, gan.latent_avg)

    fresh = tiny_gan()
    fresh.load_state_dict(gan.state_dict())  # w_avg is not in the state dict; latent_avg is
    assert fresh.g_ema.w_avg_initialized and torch.equal(fresh.g_ema.w_avg, gan.latent_avg)


def test_untrained_model_refuses_truncation():
    with pytest.raises(RuntimeError, match="latent_avg"):
        tiny_gan().sample(2, truncation=0.5)


def test_mismatched_parts_fail_early():
    adam = lambda params: torch.optim.Adam(params)
    with pytest.raises(ValueError, match="do not match"):
        StyleGAN2(Generator(16, style_dim=16, n_mlp=1, channels=8, img_channels=1),
                  Discriminator(16, channels=8, img_channels=3), adam, adam)


SHORT = ["+experiment=stylegan2_digits", "trainer.limit_train_batches=4", "trainer.limit_val_batches=1",
         "method.stages.stylegan2.trainer.max_epochs=3", "data.batch_size=8",
         "generator.style_dim=16", "generator.n_mlp=2", "generator.channels=8", "discriminator.channels=8",
         # every regulariser and the mixing path take part
         "method.stages.stylegan2.module.r1_interval=3", "method.stages.stylegan2.module.pl_weight=2.0",
         "method.stages.stylegan2.module.pl_interval=2", "method.stages.stylegan2.module.mixing_prob=0.5",
         "method.evaluate.max_batches=1", "method.evaluate.batch_size=16",
         "zoo_overrides=['debug=fdr']", "logger=none"]


def test_resume_matches_uninterrupted(compose_cfg, tmp_path):
    """The GAN after a kill + resume from last.ckpt is bit-identical to the uninterrupted one:
    noise, mixing, the R1 / path-length schedule, EMA and latent_avg all resume exactly."""
    reference_cfg, _, resumed_cfg, _, last = crash_and_resume(compose_cfg, tmp_path, SHORT, "stylegan2",
                                                               epoch=2, batch=1)

    def final(cfg):
        return load_rosinality(Path(cfg.paths.output_dir) / ROSINALITY_FILE, with_g=True, with_d=True)

    a, b = final(reference_cfg), final(resumed_cfg)
    for part in ("g_ema", "g", "d"):
        for (key, x), y in zip(getattr(a, part).state_dict().items(), getattr(b, part).state_dict().values()):
            assert torch.equal(x, y), f"{part}.{key}"
    assert torch.equal(a.latent_avg, b.latent_avg)
    state = torch.load(last, map_location="cpu", weights_only=True)["state_dict"]
    assert int(state["batches_seen"]) == 8 and float(state["mean_path_length"]) > 0

"""StyleGAN2 nets: FIR op against a naive reference, generator semantics (noise, W/W+,
truncation, mixing, feature injection), rosinality key layout and checkpoint round trips.
Tiny models only (16-64 px, 16-32 channels)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ganlab.nets.stylegan2 import Discriminator, Generator, load_rosinality, save_rosinality
from ganlab.nets.stylegan2.checkpoint import infer_discriminator_config, infer_generator_config
from ganlab.nets.stylegan2.discriminator import minibatch_stddev
from ganlab.nets.stylegan2.ops import fused_leaky_relu, upfirdn2d

STYLE_DIM = 32


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny convs gain nothing from threads, and OpenMP spin-waits make them ~7x slower when
    other processes share the cores; restore the setting for other test modules."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def tiny_g(size: int = 32, seed: int = 0, channels: int = 16) -> Generator:
    torch.manual_seed(seed)
    g = Generator(size, style_dim=STYLE_DIM, n_mlp=2, channels=channels)
    # Fresh models have zero noise strength / biases; make those paths matter.
    with torch.no_grad():
        for name, p in g.named_parameters():
            if name.endswith("noise.weight") or name.endswith("activate.bias"):
                p.normal_(0, 0.3)
    return g.eval()


def tiny_d(size: int = 32, seed: int = 0) -> Discriminator:
    torch.manual_seed(seed)
    return Discriminator(size, channels=16)


# ------------------------------------------------------------------------- upfirdn2d
def naive_upfirdn2d(x, kernel, up, down, pad):
    """Literal definition on tiny inputs: zero-insert, pad/crop, true 2-D convolution (valid
    part), keep every down-th sample."""
    b, c, h, w = x.shape
    (ux, uy), (dx, dy) = up, down
    x0, x1, y0, y1 = pad
    z = torch.zeros(b, c, h * uy, w * ux, dtype=x.dtype)
    z[:, :, ::uy, ::ux] = x
    hp, wp = h * uy + y0 + y1, w * ux + x0 + x1
    zp = torch.zeros(b, c, hp, wp, dtype=x.dtype)
    for i in range(hp):
        for j in range(wp):
            si, sj = i - y0, j - x0
            if 0 <= si < z.shape[2] and 0 <= sj < z.shape[3]:
                zp[:, :, i, j] = z[:, :, si, sj]
    kh, kw = kernel.shape
    oh, ow = hp - kh + 1, wp - kw + 1
    out = torch.zeros(b, c, oh, ow, dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for bb in range(kw):
                    # convolution: kernel flipped relative to the window
                    out[:, :, i, j] += zp[:, :, i + a, j + bb] * kernel[kh - 1 - a, kw - 1 - bb]
    return out[:, :, ::dy, ::dx]


@pytest.mark.parametrize("up,down,pad", [
    (2, 1, (2, 1)), (1, 2, (1, 1)), (1, 1, (2, 1)), (1, 1, (0, 0)), (2, 2, (1, 2)),
    (1, 1, (-1, 2)), ((2, 1), (1, 2), (1, 0, 2, 1)),
])
def test_upfirdn2d_matches_naive_reference(up, down, pad):
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5, 6, dtype=torch.float64)
    kernel = torch.randn(4, 3, dtype=torch.float64)  # asymmetric: catches a missing flip
    got = upfirdn2d(x, kernel, up=up, down=down, pad=pad)
    up2 = up if isinstance(up, tuple) else (up, up)
    down2 = down if isinstance(down, tuple) else (down, down)
    pad4 = pad if len(pad) == 4 else (pad[0], pad[1], pad[0], pad[1])
    want = naive_upfirdn2d(x, kernel, up2, down2, pad4)
    assert got.shape == want.shape
    torch.testing.assert_close(got, want)


def test_upfirdn2d_box_filters_equal_torch_resampling():
    torch.manual_seed(0)
    x = torch.randn(2, 4, 8, 8)
    nearest = upfirdn2d(x, torch.ones(2, 2), up=2, pad=(1, 0))
    torch.testing.assert_close(nearest, F.interpolate(x, scale_factor=2, mode="nearest"))
    avg = upfirdn2d(x, torch.full((2, 2), 0.25), down=2)
    torch.testing.assert_close(avg, F.avg_pool2d(x, 2))


def test_fused_leaky_relu():
    x, b = torch.randn(2, 3, 4, 4), torch.randn(3)
    want = F.leaky_relu(x + b.view(1, 3, 1, 1), 0.2) * 2**0.5
    torch.testing.assert_close(fused_leaky_relu(x, b), want)


# ------------------------------------------------------------------------- generator
@pytest.mark.parametrize("size", [16, 32, 64])
def test_generator_output_shape(size):
    g = tiny_g(size)
    img, lat = g([torch.randn(2, STYLE_DIM)], return_latents=True)
    assert img.shape == (2, 3, size, size)
    n_latent = {16: 6, 32: 8, 64: 10}[size]
    assert g.n_latent == n_latent and lat.shape == (2, n_latent, STYLE_DIM)
    assert g.num_layers == len(g.make_noise()) == n_latent - 1


def test_determinism_with_fixed_and_explicit_noise():
    g = tiny_g()
    z = torch.randn(3, STYLE_DIM)
    with torch.no_grad():
        a, _ = g([z], randomize_noise=False)
        b, _ = g([z], randomize_noise=False)
        torch.testing.assert_close(a, b, rtol=0, atol=0)
        noise = g.make_noise()
        c, _ = g([z], noise=noise)
        d, _ = g([z], noise=[n.clone() for n in noise])
        torch.testing.assert_close(c, d, rtol=0, atol=0)
        assert (c - a).abs().max() > 1e-3  # other noise -> other image
        r1, _ = g([z])  # randomize_noise=True by default, as in rosinality
        r2, _ = g([z])
        assert (r1 - r2).abs().max() > 1e-3


def test_layers_above_the_noise_resolution_ignore_their_noise_and_train_no_strength():
    torch.manual_seed(0)
    g = Generator(32, STYLE_DIM, n_mlp=2, channels=16, noise_max_resolution=8)
    quiet = [i for i in range(g.num_layers) if g.layer_resolution(i) > 8]
    assert quiet == [3, 4, 5, 6]
    assert set(g.state_dict()) == set(tiny_g().state_dict())  # rosinality's keys all kept
    noise_strengths = [n for n, _ in g.named_parameters() if n.endswith("noise.weight")]
    assert noise_strengths == ["conv1.noise.weight", "convs.0.noise.weight", "convs.1.noise.weight"]
    for layer in (g.conv1, *g.convs):  # a trained strength, so noise would show where it is added
        if isinstance(layer.noise.weight, torch.nn.Parameter):
            layer.noise.weight.data.fill_(0.5)
    w = g.style(torch.randn(2, STYLE_DIM))[:, None].expand(-1, g.n_latent, -1)
    noise = g.make_noise()
    with torch.no_grad():
        base = g.synthesis(w, noise=noise)
        for i in range(g.num_layers):
            other = [n if j != i else torch.randn_like(n) for j, n in enumerate(noise)]
            changed = (g.synthesis(w, noise=other) - base).abs().max()
            assert (changed == 0) == (i in quiet), i


def test_w_and_repeated_wplus_give_same_image():
    g = tiny_g()
    with torch.no_grad():
        w = g.style(torch.randn(2, STYLE_DIM))
        a, _ = g([w], input_is_latent=True, randomize_noise=False)
        wplus = w.unsqueeze(1).repeat(1, g.n_latent, 1)
        b, _ = g([wplus], input_is_latent=True, randomize_noise=False)
        c = g.synthesis(wplus)
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(a, c)


def test_truncation_zero_gives_truncation_latent_image():
    g = tiny_g()
    with torch.no_grad():
        w_avg = g.mean_latent(256)
        a, _ = g([torch.randn(3, STYLE_DIM)], truncation=0.0, truncation_latent=w_avg,
                 randomize_noise=False)
        b, _ = g([w_avg.expand(3, -1)], input_is_latent=True, randomize_noise=False)
        torch.testing.assert_close(a, b)
        with pytest.raises(RuntimeError, match="w_avg"):
            g([torch.randn(1, STYLE_DIM)], truncation=0.5)
        g.mean_latent(256, store=True)  # now truncation may default to w_avg
        g([torch.randn(1, STYLE_DIM)], truncation=0.5)


def test_update_w_avg_is_an_ema():
    g = tiny_g()
    w1, w2 = torch.ones(4, STYLE_DIM), torch.zeros(4, STYLE_DIM)
    g.update_w_avg(w1)
    torch.testing.assert_close(g.w_avg, torch.ones(STYLE_DIM))
    g.update_w_avg(w2, beta=0.9)
    torch.testing.assert_close(g.w_avg, torch.full((STYLE_DIM,), 0.9))
    assert "w_avg" not in g.state_dict()


def test_style_mixing():
    g = tiny_g()
    z1, z2 = torch.randn(2, STYLE_DIM), torch.randn(2, STYLE_DIM)
    with torch.no_grad():
        plain, _ = g([z1], randomize_noise=False)
        mixed, lat = g([z1, z2], inject_index=4, randomize_noise=False, return_latents=True)
        same, _ = g([z1, z1], inject_index=4, randomize_noise=False)
    assert (mixed - plain).abs().max() > 1e-3
    torch.testing.assert_close(same, plain)
    w1, w2 = g.style(z1), g.style(z2)
    torch.testing.assert_close(lat[:, :4], w1.unsqueeze(1).expand(-1, 4, -1))
    torch.testing.assert_close(lat[:, 4:], w2.unsqueeze(1).expand(-1, g.n_latent - 4, -1))


def test_feature_injection():
    g = tiny_g(32)
    wplus = g.style(torch.randn(2, STYLE_DIM)).unsqueeze(1).repeat(1, g.n_latent, 1)
    layer = 3  # convs[2]: upsampling conv of the 16x16 block
    res, ch = g.layer_resolution(layer), g.layer_channels(layer)
    assert res == 16
    with torch.no_grad():
        base, acts = g.synthesis(wplus, return_features=True)
        assert [a.shape[-1] for a in acts] == [4, 8, 8, 16, 16, 32, 32]
        assert acts[layer].shape == (2, ch, res, res)
        zero = g.synthesis(wplus, features={layer: torch.zeros(2, ch, res, res)})
        torch.testing.assert_close(zero, base, rtol=0, atol=0)
        bump = g.synthesis(wplus, features={layer: torch.randn(2, ch, res, res)})
        assert (bump - base).abs().max() > 1e-3
        same = g.synthesis(wplus, features={layer: acts[layer]}, feature_mode="replace")
        torch.testing.assert_close(same, base)
        scaled = g.synthesis(wplus, features={layer: lambda a: a * 1.5})
        assert (scaled - base).abs().max() > 1e-3
    with pytest.raises(ValueError):
        g.synthesis(wplus, features={g.num_layers: torch.zeros(1)})


def test_gradients_flow_through_g_and_d():
    g, d = tiny_g(32).train(), tiny_d(32)
    z = torch.randn(3, STYLE_DIM, requires_grad=True)  # batch not divisible by 4 on purpose
    img, _ = g([z])
    d(img).sum().backward()
    assert z.grad is not None and z.grad.abs().sum() > 0
    for name, p in list(g.named_parameters()) + list(d.named_parameters()):
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    # R1 penalty needs double backward through D (upfirdn2d included).
    x = torch.randn(4, 3, 32, 32, requires_grad=True)
    (grad,) = torch.autograd.grad(d(x).sum(), x, create_graph=True)
    d.zero_grad()
    grad.square().sum().backward()
    assert d.convs[1].conv1[0].weight.grad.abs().sum() > 0


def test_unfused_modulated_conv_matches_grouped():
    g = tiny_g(32)
    z = torch.randn(2, STYLE_DIM)
    with torch.no_grad():
        a, _ = g([z], randomize_noise=False)
        for m in g.modules():
            if hasattr(m, "fused"):
                m.fused = False
        b, _ = g([z], randomize_noise=False)  # the unfused path runs channels-last inside
    torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    assert b.is_contiguous()  # images leave in the default layout: callers may .view() them


def test_minibatch_stddev_is_the_group_population_std():
    x = torch.randn(8, 6, 4, 4)
    out = minibatch_stddev(x.contiguous(memory_format=torch.channels_last), group_size=4)
    groups = x.view(4, 2, 6, 4, 4)  # sample k is in group k % 2
    want = torch.sqrt(groups.var(0, unbiased=False) + 1e-8).mean((1, 2, 3))  # [2]
    torch.testing.assert_close(out[:, :6], x)
    torch.testing.assert_close(out[:, 6], want.repeat(4)[:, None, None].expand(8, 4, 4))


# ------------------------------------------------------------------------- layout / ckpt
def test_rosinality_key_names():
    sd = tiny_g(32).state_dict()
    for key in ["style.1.weight", "style.1.bias", "style.2.weight", "input.input",
                "conv1.conv.weight", "conv1.conv.modulation.weight", "conv1.conv.modulation.bias",
                "conv1.noise.weight", "conv1.activate.bias", "to_rgb1.conv.weight", "to_rgb1.bias",
                "convs.0.conv.weight", "convs.0.conv.blur.kernel", "to_rgbs.0.upsample.kernel",
                "to_rgbs.2.bias", "noises.noise_0", "noises.noise_6"]:
        assert key in sd, key
    assert not any(k.startswith("upsamples.") or k == "w_avg" for k in sd)
    assert sd["convs.0.conv.weight"].shape == (1, 16, 16, 3, 3)
    assert sd["to_rgb1.bias"].shape == (1, 3, 1, 1)
    dsd = tiny_d(32).state_dict()
    for key in ["convs.0.0.weight", "convs.0.1.bias", "convs.1.conv1.0.weight",
                "convs.1.conv2.0.kernel", "convs.1.conv2.1.weight", "convs.1.skip.1.weight",
                "final_conv.0.weight", "final_linear.0.weight", "final_linear.1.bias"]:
        assert key in dsd, key


def test_ffhq_config_f_layout():
    with torch.device("meta"):  # no memory, no init cost
        g, d = Generator(1024), Discriminator(1024)
    assert sum(p.numel() for p in g.parameters()) == 30_370_060  # official config-f counts
    assert sum(p.numel() for p in d.parameters()) == 29_012_513
    sd = g.state_dict()
    assert len(sd) == 171 and g.n_latent == 18
    assert sd["style.8.weight"].shape == (512, 512)
    assert sd["to_rgbs.7.conv.weight"].shape == (1, 3, 32, 1, 1)
    assert sd["noises.noise_16"].shape == (1, 1, 1024, 1024)
    cfg = infer_generator_config(sd)
    assert (cfg["size"], cfg["style_dim"], cfg["n_mlp"]) == (1024, 512, 8)
    assert cfg["channels"] == g.channels
    assert infer_discriminator_config(d.state_dict())["channels"] == d.channels


def test_save_load_round_trip(tmp_path):
    g, g_train, d = tiny_g(32, seed=1), tiny_g(32, seed=2), tiny_d(32)
    g.mean_latent(128, store=True)
    path = save_rosinality(tmp_path / "ck" / "model.pt", g, g=g_train, d=d,
                           extra={"step": 7})
    raw = torch.load(path, weights_only=True)
    assert set(raw) >= {"g_ema", "g", "d", "latent_avg", "step"}
    ck = load_rosinality(path, with_g=True, with_d=True)
    # strict loading reproduced every key; architecture was inferred from shapes
    assert list(ck.g_ema.state_dict()) == list(g.state_dict())
    assert ck.config["generator"]["size"] == 32 and ck.extra["step"] == 7
    torch.testing.assert_close(ck.g_ema.w_avg, g.w_avg)
    z = torch.randn(2, STYLE_DIM)
    with torch.no_grad():
        for a, b in ((g, ck.g_ema.eval()), (g_train, ck.g.eval())):
            torch.testing.assert_close(a([z], randomize_noise=False)[0],
                                       b([z], randomize_noise=False)[0], rtol=0, atol=0)
        x = torch.randn(4, 3, 32, 32)
        torch.testing.assert_close(d(x), ck.d(x), rtol=0, atol=0)
    # a bare generator state dict (no wrapper) is accepted too
    assert load_rosinality(g.state_dict()).g_ema.size == 32


def test_a_generator_without_noise_above_a_resolution_reloads_without_it(tmp_path):
    torch.manual_seed(0)
    g = Generator(32, STYLE_DIM, n_mlp=2, channels=16, noise_max_resolution=8)
    ck = load_rosinality(save_rosinality(tmp_path / "model.pt", g))
    assert ck.g_ema.noise_max_resolution == 8 == ck.config["generator"]["noise_max_resolution"]
    # the noise strengths stay untrainable where the saved generator had none
    assert [n for n, _ in ck.g_ema.named_parameters() if n.endswith("noise.weight")] == \
        [n for n, _ in g.named_parameters() if n.endswith("noise.weight")]
    assert load_rosinality(save_rosinality(tmp_path / "plain.pt", tiny_g())).g_ema.noise_max_resolution is None


def test_load_reports_mismatched_keys():
    sd = tiny_g(32).state_dict()
    sd["bogus.weight"] = torch.zeros(1)
    del sd["conv1.noise.weight"]
    with pytest.raises(RuntimeError, match=r"(?s)missing keys \(1\): conv1\.noise\.weight.*"
                                           r"unexpected keys \(1\): bogus\.weight"):
        load_rosinality({"g_ema": sd})
    with pytest.raises(KeyError, match="'d'"):
        load_rosinality({"g_ema": tiny_g(32).state_dict()}, with_d=True)


def test_missing_checkpoint_message(tmp_path):
    path = tmp_path / "nope" / "stylegan2-ffhq-config-f.pt"
    with pytest.raises(FileNotFoundError) as err:
        load_rosinality(path)
    msg = str(err.value)
    assert str(path) in msg and "generator.checkpoint=PATH" in msg
    assert "generator=stylegan2_synthfaces" in msg

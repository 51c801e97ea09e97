"""Every inverter returns W+ codes of the generator's shape, for any StyleGAN2 layout, and
lowers the reconstruction error in a few steps."""

from functools import partial

import pytest
import torch

from ganlab.losses.synthetic_codes import SyntheticCodeLoss
from ganlab.methods.inversion.inversion_training import set_w_avg
from ganlab.metrics.code_spread import code_spread, sampled_codes
from ganlab.nets.inverters.e4e import E4EEncoder
from ganlab.nets.inverters.hfgi import HFGIEncoder
from ganlab.nets.inverters.hybrid import HybridInverter
from ganlab.nets.inverters.optimization import OptimizationInverter
from ganlab.nets.inverters.psp import PSPEncoder
from ganlab.nets.stylegan2 import Generator

ENCODERS = {"psp": PSPEncoder, "e4e": E4EEncoder, "hfgi": HFGIEncoder}


def tiny_generator(size=32, style_dim=64, channels=32, img_channels=3, seed=0) -> Generator:
    torch.manual_seed(seed)
    g = Generator(size, style_dim=style_dim, n_mlp=2, channels=channels, img_channels=img_channels)
    set_w_avg(g.requires_grad_(False).eval())
    return g


def images_of(g: Generator, n: int = 4, seed: int = 1) -> torch.Tensor:
    """Images the generator can make: codes near w_avg."""
    z = torch.randn(n, g.style_dim, generator=torch.Generator().manual_seed(seed))
    w = g.w_avg + 0.7 * (g.style(z) - g.w_avg)
    with torch.no_grad():
        return g.synthesis(w[:, None].expand(-1, g.n_latent, -1))


def mse(inversion, x):
    return float((inversion.image - x).pow(2).mean())


@pytest.mark.parametrize("layout", [dict(), dict(size=64, style_dim=32, channels={4: 16, 8: 16, 16: 8, 32: 8, 64: 8},
                                                 img_channels=1)])
@pytest.mark.parametrize("name", list(ENCODERS))
def test_encoders_return_wplus_for_any_generator(name, layout):
    g = tiny_generator(**layout)
    x = images_of(g, 2)
    inversion = ENCODERS[name](g)(x, g)
    assert inversion.wplus.shape == (2, g.n_latent, g.style_dim)
    assert inversion.image.shape == x.shape
    if name != "psp":
        assert inversion.offsets.shape == (2, g.n_latent - 1, g.style_dim)


@pytest.mark.parametrize("name", list(ENCODERS))
def test_encoders_learn_to_reconstruct(name):
    g = tiny_generator()
    x = images_of(g)
    encoder = ENCODERS[name](g)
    optimizer = torch.optim.Adam(encoder.parameters(), lr=1e-3)
    before = mse(encoder(x, g), x)
    for _ in range(15):
        loss = (encoder(x, g).image - x).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert mse(encoder(x, g), x) < 0.7 * before


@pytest.mark.parametrize("name", list(ENCODERS))
def test_encode_gives_the_codes_of_the_full_inversion(name):
    g = tiny_generator()
    x = images_of(g, 2)
    encoder = ENCODERS[name](g)
    torch.testing.assert_close(encoder.encode(x, g), encoder(x, g).wplus)


@pytest.mark.parametrize("name", list(ENCODERS))
def test_pyramid_and_heads_are_as_wide_as_a_style_unless_set(name):
    """pSp's widths: its FPN and map-to-style convs have a style's 512 channels."""
    g = tiny_generator(style_dim=48)
    for fpn_width, expected in ((None, 48), (16, 16)):
        encoder = ENCODERS[name](g, fpn_width=fpn_width)
        encoder = encoder.base if name == "hfgi" else encoder
        assert {layer.out_channels for layer in encoder.pyramid.lateral} == {expected}
        assert {head.linear.in_features for head in encoder.styles.heads} == {expected}


def test_fresh_encoder_features_vary_with_the_image():
    """The heads start at zero (every image gets the mean code), but what they read must
    already differ between images at unit scale, or Adam's bounded steps never make codes differ."""
    g = tiny_generator()
    encoder = PSPEncoder(g)
    pyramid = encoder.pyramid(images_of(g, 16))
    head = encoder.styles.heads[0]
    features = head.convs(pyramid[encoder.styles.levels[0]]).flatten(1)
    assert float(features.std(0).mean()) > 0.05
    torch.testing.assert_close(encoder.encode(images_of(g, 2), g), g.w_avg.expand(2, g.n_latent, -1))


def test_synthetic_code_loss_is_the_code_error_on_generated_images_and_trains_the_spread():
    g = tiny_generator()
    encoder = PSPEncoder(g)
    loss = SyntheticCodeLoss(weight=2.0, batch_size=16)
    value = loss(encoder, g)
    loss.draws.zero_()  # the k-th draw is a function of (seed, k): draw the first one again
    codes, _ = loss.sample(g, 32)
    assert int(loss.draws) == 1 and not torch.equal(loss.sample(g, 32)[0], codes)
    assert float(value) == pytest.approx(2.0 * float((g.w_avg - codes).pow(2).mean()), rel=1e-5)  # fresh: mean code
    optimizer = torch.optim.Adam(encoder.parameters(), lr=1e-3)
    for _ in range(30):
        optimizer.zero_grad()
        loss(encoder, g).backward()
        optimizer.step()
    x = images_of(g, 64, seed=5)
    with torch.no_grad():
        spread = code_spread(encoder.encode(x, g), sampled_codes(g, 512), g.w_avg)["spread_ratio"]
    assert spread > 0.02  # a fresh encoder gives the mean code for every image: exactly 0
    with pytest.raises(ValueError, match="batch_size"):
        SyntheticCodeLoss(batch_size=0)


def test_optimization_and_hybrid_reduce_the_error():
    g = tiny_generator()
    x = images_of(g)
    start = mse(OptimizationInverter(g, steps=1, lpips_weight=0, lr=1e-9)(x, g), x)  # ~ the mean code
    inversion = OptimizationInverter(g, steps=30, lpips_weight=0)(x, g)
    assert inversion.wplus.shape == (4, g.n_latent, g.style_dim)
    assert mse(inversion, x) < 0.5 * start
    hybrid = HybridInverter(g, partial(E4EEncoder), partial(OptimizationInverter, steps=20, lpips_weight=0))
    with torch.no_grad():
        encoded = mse(hybrid.train()(x, g), x)
        refined = mse(hybrid.eval()(x, g), x)
    assert refined < 0.5 * encoded


def test_wrong_image_size_is_named():
    g = tiny_generator()
    with pytest.raises(ValueError, match="data.image_size=32"):
        PSPEncoder(g)(torch.zeros(1, 3, 64, 64), g)


def test_inverters_at_a_smaller_image_size_pool_the_generator_output():
    """pSp's setting: 256 px inputs for a 1024 px generator (here 16 px for 32 px)."""
    g = tiny_generator()
    x = torch.nn.functional.adaptive_avg_pool2d(images_of(g, 2), 16)
    for inverter in (HFGIEncoder(g, finest=8, fusion_resolution=8, image_size=16),
                     OptimizationInverter(g, steps=2, lpips_weight=0, image_size=16)):
        inversion = inverter(x, g)
        assert inversion.image.shape == x.shape and inversion.wplus.shape == (2, g.n_latent, g.style_dim)
        assert inversion.render(g).shape == x.shape

"""e4e's progressive training: the offsets an e4e encoder (alone or as HFGI's base) uses at
each training step, and that outside training it uses all of them."""

import pytest
import torch

from ganlab.nets.inverters.e4e import E4EEncoder
from ganlab.nets.inverters.hfgi import HFGIEncoder

from .test_inverters import images_of, tiny_generator


def with_offsets(encoder: E4EEncoder) -> E4EEncoder:
    """Style heads drawn away from their zero init, so every offset differs from 0."""
    torch.manual_seed(3)
    for head in encoder.styles.heads:
        torch.nn.init.normal_(head.linear.weight, std=0.1)
    return encoder


def layers_off_w(encoder, x, g) -> list[bool]:
    """Per W+ layer: does its code differ from layer 0's (the shared w)?"""
    wplus = encoder.encode(x, g)
    return [bool((wplus[:, i] - wplus[:, 0]).abs().max() > 0) for i in range(wplus.shape[1])]


def test_offsets_join_one_layer_at_a_time_after_the_start():
    g = tiny_generator()
    encoder = with_offsets(E4EEncoder(g, width=8, fpn_width=16, max_width=32, progressive_start=3,
                                      progressive_every=2))
    x = images_of(g)
    n = g.n_latent
    expected = {0: 0, 2: 0, 3: 1, 4: 1, 5: 2, 3 + 2 * (n - 2): n - 1, 10_000: n - 1}
    for step, in_use in expected.items():
        encoder.set_progressive_stage(step)
        assert encoder.offsets_in_use == in_use, step
        assert layers_off_w(encoder, x, g) == [False] + [i <= in_use for i in range(1, n)], step
    encoder.set_progressive_stage(None)  # outside training: every offset
    assert layers_off_w(encoder, x, g) == [False] + [True] * (n - 1)


def test_without_a_schedule_and_through_hfgi():
    g = tiny_generator()
    plain = with_offsets(E4EEncoder(g, width=8, fpn_width=16, max_width=32))
    plain.set_progressive_stage(0)
    assert plain.offsets_in_use is None and all(layers_off_w(plain, images_of(g), g)[1:])
    hfgi = HFGIEncoder(g, width=8, fpn_width=16, max_width=32, consultation_width=8, progressive_start=0)
    with_offsets(hfgi.base)
    hfgi.set_progressive_stage(0)
    assert hfgi.base.offsets_in_use == 1
    wplus = hfgi(images_of(g), g).wplus
    assert torch.equal(wplus[:, 2:], wplus[:, :1].expand_as(wplus[:, 2:]))


def test_bad_schedules_are_refused():
    g = tiny_generator()
    for start, every in ((-1, 1), (0, 0)):
        with pytest.raises(ValueError, match="inverter.progressive"):
            E4EEncoder(g, progressive_start=start, progressive_every=every)

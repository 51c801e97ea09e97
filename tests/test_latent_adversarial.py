"""e4e's latent discriminator: its code pool, that D_W learns to tell mapped codes from
others and that the encoder's term then favours mapped codes, R1's cadence, a resumed
state training as an uninterrupted one, and where the loss is refused."""

from functools import partial

import pytest
import torch

from ganlab.losses.f_divergence import PearsonDiscrepancy
from ganlab.losses.latent_adversarial import LatentAdversarialLoss
from ganlab.losses.reconstruction import SquaredError
from ganlab.methods.inversion.source_inversion import SourceInversion
from ganlab.methods.inversion.uda_inversion import UDAInversion
from ganlab.nets.inverters.e4e import E4EEncoder
from ganlab.nets.perceptual import LPIPS
from ganlab.runner.run_folder import load_stage

from .test_inverters import tiny_generator
from .test_resume import crash_and_resume


def built(style_dim=8, **kwargs) -> LatentAdversarialLoss:
    loss = LatentAdversarialLoss(**kwargs)
    loss.build(style_dim)
    return loss


def sorted_rows(t: torch.Tensor) -> list:
    return sorted(map(tuple, t.tolist()))


def test_pool_returns_or_keeps_every_code_it_is_given():
    loss = built(style_dim=2, pool_size=4)
    rng = torch.Generator().manual_seed(0)
    first = torch.arange(8.0).view(4, 2)
    assert torch.equal(loss._pool("fake", first, rng), first)  # filling the pool: codes pass through
    assert torch.equal(loss.fake_pool, first)
    second = 100 + torch.arange(12.0).view(6, 2)
    out = loss._pool("fake", second, rng)
    # each code, old or new, is either handed back or stored: none lost, none duplicated
    assert sorted_rows(torch.cat([out, loss.fake_pool])) == sorted_rows(torch.cat([first, second]))
    swapped = (out != second).any(1)  # handed back in place of a new code: a stored one
    assert bool(swapped.any()) and set(sorted_rows(out[swapped])) <= set(sorted_rows(first))


def test_discriminator_learns_mapped_codes_and_the_encoder_term_prefers_them():
    g = tiny_generator()
    loss = built(g.style_dim, weight=1.0, lr=1e-2, pool_size=0)
    optimizer = torch.optim.Adam(loss.discriminator.parameters(), lr=loss.lr)
    z = torch.randn(16, g.style_dim, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        mapped = g.style(z)[:, None].expand(-1, g.n_latent, -1)
    shifted = mapped + 2.0
    first = loss.discriminator_step(g, shifted, optimizer, torch.Tensor.backward)["train/adversarial_d"]
    for _ in range(60):
        last = loss.discriminator_step(g, shifted, optimizer, torch.Tensor.backward)["train/adversarial_d"]
    assert float(last) < 0.5 * float(first)
    assert float(loss(mapped)) < float(loss(shifted))
    codes = shifted.clone().requires_grad_(True)
    optimizer.zero_grad(set_to_none=True)
    loss(codes).backward()
    step = -codes.grad.flatten(1)  # the encoder's descent direction moves the codes back toward W
    assert float((step * (mapped - shifted).flatten(1)).sum(1).min()) > 0
    # the encoder's term leaves D_W untouched, and trainable again
    assert all(p.grad is None and p.requires_grad for p in loss.discriminator.parameters())


def test_r1_every_k_steps_and_a_resumed_state_trains_as_an_uninterrupted_one():
    g = tiny_generator()
    codes = [torch.randn(4, g.n_latent, g.style_dim, generator=torch.Generator().manual_seed(i)) for i in range(7)]

    def run(loss, optimizer, batches):
        return [loss.discriminator_step(g, c, optimizer, torch.Tensor.backward) for c in batches]

    whole = built(g.style_dim, r1_every=3, pool_size=6, seed=3)
    whole_opt = torch.optim.Adam(whole.discriminator.parameters(), lr=1e-3)
    logs = run(whole, whole_opt, codes)
    assert ["train/adversarial_r1" in step for step in logs] == [True, False, False, True, False, False, True]

    first = built(g.style_dim, r1_every=3, pool_size=6, seed=3)
    first_opt = torch.optim.Adam(first.discriminator.parameters(), lr=1e-3)
    run(first, first_opt, codes[:4])
    resumed = built(g.style_dim, r1_every=3, pool_size=6, seed=3)
    resumed.load_state_dict(first.state_dict())
    resumed_opt = torch.optim.Adam(resumed.discriminator.parameters(), lr=1e-3)
    resumed_opt.load_state_dict(first_opt.state_dict())
    run(resumed, resumed_opt, codes[4:])
    for a, b in zip(whole.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_bad_settings_and_stages_that_cannot_use_it_are_refused():
    with pytest.raises(ValueError, match="loss.adversarial"):
        LatentAdversarialLoss(weight=-1)
    with pytest.raises(ValueError, match="loss.adversarial"):
        LatentAdversarialLoss(r1_every=0)
    g = tiny_generator()
    e4e = partial(E4EEncoder, width=8, fpn_width=16, max_width=32)
    with pytest.raises(ValueError, match="base stage"):
        UDAInversion(g, e4e, {"l2": SquaredError(1.0), "discrepancy": PearsonDiscrepancy(LPIPS("none"), 1.0),
                              "adversarial": LatentAdversarialLoss()},
                     optimizer=torch.optim.Adam, optimizer_aux=torch.optim.Adam)
    module = SourceInversion(g, e4e, {"l2": SquaredError(1.0), "adversarial": LatentAdversarialLoss()},
                             optimizer=partial(torch.optim.Adam, lr=1e-3))
    assert module.adversarial.discriminator[0].in_features == g.style_dim
    off = SourceInversion(g, e4e, {"l2": SquaredError(1.0), "adversarial": LatentAdversarialLoss(weight=0)},
                          optimizer=partial(torch.optim.Adam, lr=1e-3))
    assert off.adversarial is None and not [k for k in off.state_dict() if "adversarial" in k]


def test_a_killed_e4e_run_resumes_to_the_uninterrupted_result(compose_cfg, tmp_path, zoo_cache):
    """D_W, its optimizer and its code pools come back from the checkpoint, and so does e4e's
    progressive schedule: offsets join from batch 2, one a batch, across the kill at batch 4."""
    short = ["+experiment=e4e_supervised", "debug=limit", "zoo_overrides=['debug=fdr']",
             "method.stages.encoder.trainer.max_epochs=2", "inverter.progressive_start=2",
             "inverter.progressive_every=1",
             "method.evaluate.optimization=null", "method.evaluate.hybrid_refiner=null", "logger=csv",
             "cache_stages=false"]
    _, reference, resumed_cfg, resumed, last = crash_and_resume(compose_cfg, tmp_path, short, "encoder", epoch=1,
                                                                batch=1, zoo=zoo_cache)
    # 6 batches: offsets 1-4 joined (at batches 2-5) and trained, 5 and later never left their zero init
    heads = load_stage(resumed_cfg.paths.output_dir, "encoder").inverter.styles.heads
    assert [bool(head.linear.weight.any()) for head in heads[1:]] == [True] * 4 + [False] * (len(heads) - 5)
    assert any(key.startswith("adversarial.fake_pool") for key in torch.load(last, weights_only=True)["state_dict"])
    timings = ("images_per_s", "speedup")
    tested = [key for key in reference if key.startswith("test/") and not any(t in key for t in timings)]
    assert tested
    for key in tested:
        assert resumed[key] == pytest.approx(reference[key], abs=1e-6, nan_ok=True), key

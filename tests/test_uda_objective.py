"""UDA-inversion's objective: the Pearson f-discrepancy on known inputs, and Algorithm 1's
signs (the ascent step on h' raises the discrepancy estimate, the encoder step lowers the
encoder's objective), each step touching only its own network; the clean target is never read."""

from functools import partial

import pytest
import torch

from ganlab.data.domains import DomainBatch
from ganlab.losses.f_divergence import PearsonDiscrepancy, discrepancy, pearson_conjugate
from ganlab.losses.reconstruction import SquaredError
from ganlab.methods.inversion.uda_inversion import UDAInversion
from ganlab.nets.inverters.psp import PSPEncoder
from ganlab.nets.perceptual import LPIPS

from .test_inverters import images_of, tiny_generator


def test_pearson_conjugate_and_discrepancy_by_hand():
    assert pearson_conjugate(torch.tensor([0.0, 2.0, -2.0])).tolist() == [0.0, 3.0, -1.0]
    # sources mean 0.2; targets f*(0.2) = 0.21, f*(0.4) = 0.44, mean 0.325 -> d = -0.125
    d = discrepancy(torch.tensor([0.1, 0.3]), torch.tensor([0.2, 0.4]))
    assert float(d) == pytest.approx(-0.125)


def test_auxiliary_equal_to_the_backbone_scores_zero(lpips_net):
    """h' = F makes h_hat'(x) = LPIPS(F(x), F(x)) = 0, so d = 0 - f*(0) = 0."""
    disc = PearsonDiscrepancy(lpips_net, weight=0.5, absolute=True)
    disc.auxiliary.load_state_dict(disc.reference.metric.net.state_dict())
    x = torch.rand(3, 3, 32, 32) * 2 - 1
    assert disc.scores(x).abs().max() < 1e-6
    assert float(disc(x, x.flip(0))) == pytest.approx(0.0, abs=1e-6)
    assert float(disc.penalty(torch.tensor(-2.0))) == 1.0  # 0.5 * |-2|


@pytest.fixture(scope="module")
def lpips_net():
    return LPIPS("none")  # building AlexNet takes a second: once per module


@pytest.fixture
def uda(lpips_net):
    g = tiny_generator()
    module = UDAInversion(
        g, partial(PSPEncoder, width=16, fpn_width=32), {"l2": SquaredError(1.0),
                                                          "discrepancy": PearsonDiscrepancy(lpips_net, 1.0)},
        optimizer=partial(torch.optim.Adam, lr=1e-3), optimizer_aux=partial(torch.optim.Adam, lr=1e-3))
    module.manual_backward = lambda loss: loss.backward()  # outside a Trainer
    x = images_of(g, 4)
    return module, DomainBatch(x, x.flip(0) * 0.5, x.flip(0))


def params(net):
    return [p.detach().clone() for p in net.parameters()]


def changed(before, net):
    return any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))


def test_ascent_step_raises_the_discrepancy(uda):
    module, batch = uda
    source, target = batch.source, batch.target  # stand-ins for two domains' reconstructions
    with torch.no_grad():
        before = float(module.discrepancy(source, target))
    encoder = params(module.inverter)
    optimizer = module.optimizer_aux(module.discrepancy.auxiliary.parameters())
    for _ in range(3):
        module.ascent_step(source, target, optimizer)
    with torch.no_grad():
        assert float(module.discrepancy(source, target)) > before
    assert not changed(encoder, module.inverter)


def test_descent_step_lowers_the_encoder_objective(uda):
    module, batch = uda
    aux = params(module.discrepancy.auxiliary)
    optimizer = module.optimizer(module.inverter.parameters())

    def objective():
        source, target = module.invert(batch.source), module.invert(batch.target)
        return module.reconstruction_loss(batch.source, source)[0] + module.discrepancy(source.image, target.image)

    with torch.no_grad():
        before = float(objective())
    for _ in range(3):
        module.descent_step(batch, module.invert(batch.source), module.invert(batch.target), optimizer)
    with torch.no_grad():
        assert float(objective()) < before
    assert not changed(aux, module.discrepancy.auxiliary)


def test_training_never_reads_the_clean_target(uda):
    module, batch = uda
    optimizers = [module.optimizer(module.inverter.parameters()),
                  module.optimizer_aux(module.discrepancy.auxiliary.parameters())]
    module.optimizers = lambda: optimizers
    module.log_dict = lambda *args, **kwargs: None
    start = {k: v.clone() for k, v in module.state_dict().items()}
    module.training_step(batch, 0)
    first = params(module.inverter)
    module.load_state_dict(start)
    optimizers[:] = [module.optimizer(module.inverter.parameters()),
                     module.optimizer_aux(module.discrepancy.auxiliary.parameters())]
    module.training_step(batch._replace(target_clean=torch.full_like(batch.target_clean, float("nan"))), 0)
    assert all(torch.equal(a, b) for a, b in zip(first, module.inverter.parameters()))

"""LPIPS on a backbone other than AlexNet: the network is handed in as a module, read in
LPIPS's uncalibrated form (channel-normalised differences, squared, summed over channels,
averaged over space, summed over depths); a name is refused; h' gets the backbone's
structure with fresh weights; the recipe configs hand the zoo's feature net in."""

import pytest
import torch
from hydra.utils import instantiate

from ganlab.losses.f_divergence import PearsonDiscrepancy
from ganlab.nets.encoders import ConvEncoder
from ganlab.nets.feature_stages import FeatureStages
from ganlab.nets.perceptual import LPIPS


def backbone():
    torch.manual_seed(0)
    return ConvEncoder(out_dim=4, image_size=32, channels=3, width=8).eval()


def unit(f):
    return f / (f.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)


def test_uncalibrated_distance_by_hand():
    net = backbone()
    metric = LPIPS(None, backbone=net)
    assert not metric.calibrated
    a, b = torch.rand(2, 3, 32, 32) * 2 - 1, torch.rand(2, 3, 32, 32) * 2 - 1
    # the conv stack's activations, one per depth (32 -> 16 -> 8 -> 4 px: three depths)
    feats_a, feats_b, h_a, h_b = [], [], a, b
    for layer in net.features:
        h_a, h_b = layer(h_a), layer(h_b)
        if isinstance(layer, torch.nn.LeakyReLU):
            feats_a.append(h_a), feats_b.append(h_b)
    assert len(feats_a) == 3
    expected = sum(((unit(fa) - unit(fb)) ** 2).sum(1).mean((1, 2)) for fa, fb in zip(feats_a, feats_b))
    assert torch.allclose(metric(a, b), expected, atol=1e-6)
    assert metric(a, a).abs().max() < 1e-6
    assert not any(p.requires_grad for p in metric.parameters())


def test_a_name_or_imagenet_weights_with_a_module_are_refused():
    with pytest.raises(ValueError, match="perceptual.backbone must be 'alexnet' or a feature network"):
        LPIPS("none", backbone="features-synthfaces32")
    with pytest.raises(ValueError, match="backbone_weights='imagenet' applies to the AlexNet backbone"):
        LPIPS("imagenet", backbone=backbone())
    with pytest.raises(ValueError, match="no convolutional stack"):
        LPIPS(None, backbone=torch.nn.Linear(3, 3))


def test_auxiliary_network_has_the_backbones_structure_and_fresh_weights():
    metric = LPIPS(None, backbone=backbone())
    torch.manual_seed(1)
    disc = PearsonDiscrepancy(metric, weight=1.0)
    assert isinstance(disc.auxiliary, FeatureStages)
    shapes = [p.shape for p in metric.stages.parameters()]
    assert [p.shape for p in disc.auxiliary.parameters()] == shapes
    assert all(p.requires_grad for p in disc.auxiliary.parameters())
    assert any(not torch.equal(p, q) for p, q in zip(disc.auxiliary.parameters(), metric.stages.parameters()))
    x = torch.rand(4, 3, 32, 32) * 2 - 1
    d = disc(x, x.flip(0))
    d.backward()
    assert all(p.grad is not None for p in disc.auxiliary.parameters() if p.dim() > 1)
    # h' = F scores 0 everywhere, so d = 0 (as with AlexNet)
    disc.auxiliary.load_state_dict(metric.stages.state_dict())
    disc.auxiliary.eval()
    assert disc.scores(x).abs().max() < 1e-6


def test_alexnet_stays_the_calibrated_lpips():
    metric = LPIPS("none", backbone="alexnet")
    assert metric.calibrated and metric.metric.lins is not None


def test_a_random_alexnet_is_one_network_whatever_randomness_came_before():
    """So LPIPS is the same metric in every run, and a resumed run scores as an uninterrupted one."""
    torch.manual_seed(1)
    state = torch.random.get_rng_state()
    first = LPIPS("none")
    assert torch.equal(torch.random.get_rng_state(), state)  # building it draws nothing from the run's stream
    torch.manual_seed(2)
    second = LPIPS("none")
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), second.state_dict().values()))


def test_the_zoo_feature_net_is_handed_in_as_a_module(compose_cfg):
    cfg = compose_cfg("+experiment=uda_inversion", "perceptual=features_synthfaces32")
    assert cfg.perceptual.backbone._target_ == "ganlab.zoo.load"
    assert cfg.perceptual.backbone.name == "features-synthfaces32"
    assert cfg.loss.lpips.net.backbone.name == cfg.loss.discrepancy.perceptual.backbone.name == "features-synthfaces32"
    alexnet = compose_cfg("+experiment=uda_inversion")
    assert alexnet.perceptual.backbone == "alexnet" and alexnet.perceptual.backbone_weights == "none"
    assert instantiate(alexnet.perceptual).calibrated

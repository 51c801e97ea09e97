"""LPIPS: the package's linear layers are really loaded, the ImageNet backbone fails with the
path and the switch when its file is missing; ArcFace IR-SE50 loads a state dict in pSp's
key layout and embeds faces at any size; identity losses and metrics."""

import os

import pytest
import torch

from ganlab.losses.identity import IdentityLoss
from ganlab.nets import arcface
from ganlab.nets.identity import IdentityEmbedder
from ganlab.nets.perceptual import LPIPS


def test_lpips_uses_the_packaged_linear_layers():
    import lpips

    net = LPIPS("none")
    shipped = torch.load(os.path.join(os.path.dirname(lpips.__file__), "weights/v0.1/alex.pth"), map_location="cpu")
    assert torch.equal(net.metric.lins[0].model[-1].weight, shipped["lin0.model.1.weight"])
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    assert net(x, x).abs().max() < 1e-6 and bool((net(x, x.flip(0)) > 0).all())
    net.train()
    assert not net.training  # a fixed metric


def test_lpips_imagenet_weights_missing_names_path_and_switch(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    with pytest.raises(FileNotFoundError) as err:
        LPIPS("imagenet")
    assert str(tmp_path / "checkpoints" / "alexnet-owt-7be5be79.pth") in str(err.value)
    assert "perceptual.backbone_weights=none" in str(err.value)
    with pytest.raises(ValueError, match="backbone_weights"):
        LPIPS("vgg")


@pytest.fixture(scope="module")
def ir_se50_file(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("arcface") / "model_ir_se50.pth"
    torch.save(arcface.IRSE50().state_dict(), path)
    return path


def test_ir_se50_has_psp_key_layout():
    keys = arcface.IRSE50().state_dict()
    assert len([k for k in keys if k.endswith("res_layer.5.fc1.weight")]) == 24  # 3 + 4 + 14 + 3 units
    assert keys["body.3.shortcut_layer.0.weight"].shape == (128, 64, 1, 1)  # first unit of the 128 group
    assert "body.1.shortcut_layer.0.weight" not in keys  # same width: a max-pool shortcut
    assert keys["output_layer.3.weight"].shape == (512, 512 * 7 * 7)
    assert keys["input_layer.2.weight"].shape == (64,)  # PReLU


def test_arcface_loads_written_state_dict(ir_se50_file, tmp_path):
    identity = arcface.ArcFaceIdentity(str(ir_se50_file))
    written = torch.load(ir_se50_file)
    assert all(torch.equal(v, written[k]) for k, v in identity.net.state_dict().items())
    emb = identity.embed(torch.rand(2, 3, 256, 256) * 2 - 1)  # pSp's crop, pooled to 112 px
    assert emb.shape == (2, 512) and torch.allclose(emb.norm(dim=1), torch.ones(2), atol=1e-5)
    torch.save({"input_layer.0.weight": written["input_layer.0.weight"]}, tmp_path / "broken.pth")
    with pytest.raises(RuntimeError, match="not an IR-SE50 state dict in pSp's layout: missing"):
        arcface.load_ir_se50(tmp_path / "broken.pth")


def test_arcface_missing_file_names_the_switch(tmp_path):
    with pytest.raises(FileNotFoundError, match="identity=synthfaces32"):
        arcface.ArcFaceIdentity(str(tmp_path / "model_ir_se50.pth"))


class PoolingIdentity(IdentityEmbedder):
    """A small fixed embedder (average colours of a 4x4 grid) to exercise the loss."""

    def embed(self, images):
        return torch.nn.functional.normalize(torch.nn.functional.adaptive_avg_pool2d(images, 4).flatten(1), dim=1)


def test_identity_loss_is_zero_on_identical_images():
    loss = IdentityLoss(PoolingIdentity(), weight=2.0)
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    assert float(loss(x, x)) == pytest.approx(0.0, abs=1e-6)
    expected = 2 * (1 - PoolingIdentity().similarity(x, x.flip(0))).mean()
    assert float(loss(x, x.flip(0))) == pytest.approx(float(expected))
    with pytest.raises(ValueError, match="loss.id.weight=0"):
        IdentityLoss(None, weight=1.0)

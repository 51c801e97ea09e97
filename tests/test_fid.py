"""FID and precision/recall: behaviour on controlled sets (a fixed linear feature map, so
the exact answer is known), the reference-statistics cache, the missing-Inception message,
and the domain feature nets from the zoo."""

from __future__ import annotations

import pytest
import torch
from hydra.utils import instantiate
from torch import nn

from ganlab.data.digits import DigitsDataModule
from ganlab.data.multidigits import MultiDigitsDataModule
from ganlab.data.synthfaces import SynthFacesDataModule
from ganlab.metrics.fid import FrechetDistance, fid_against_split
from ganlab.metrics.fid_features import INCEPTION_FILES, FeatureExtractor, InceptionFeatures
from ganlab.metrics.precision_recall import precision_recall
from ganlab.pretrained import fid_features

FAST = ["debug=fdr"]


class LinearFeatures(FeatureExtractor):
    """A fixed random projection of the pixels: FID of a shifted copy is ||W shift||^2."""

    def __init__(self, shape=(1, 8, 8), dim: int = 12):
        super().__init__()
        self.proj = nn.Linear(int(torch.tensor(shape).prod()), dim, bias=False)
        nn.init.normal_(self.proj.weight, generator=torch.Generator().manual_seed(0))
        self.name, self.num_features, self.scores, self.calls = "linear-test", dim, {"acc": 0.5}, 0

    def forward(self, x):
        self.calls += 1
        return self.proj(x.flatten(1))


def images(n: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def test_fid_is_zero_against_itself_and_grows_with_the_shift(tmp_path):
    real, feats = images(400), LinearFeatures()
    score = lambda fake: fid_against_split(fake, real_images=real, features=feats, cache_dir=str(tmp_path))
    same = score(real.clone())
    assert abs(same.fid) < 1e-3 and same.precision == 1.0 and same.recall == 1.0
    small, large = score(real + 0.05), score(real + 0.2)
    assert 0 < small.fid < large.fid
    # A pure mean shift: FID = ||W shift||^2 exactly (covariances equal).
    w_shift = feats.proj.weight.sum(1) * 0.2
    assert large.fid == pytest.approx(float(w_shift.square().sum()), rel=1e-3)
    assert large.metrics("test/fid")["test/fid_features_acc"] == 0.5
    assert "linear-test" in large.describe() and "400 vs 400" in large.describe()


def test_a_sampler_is_drawn_in_seeded_batches(tmp_path):
    real, feats = images(300), LinearFeatures()
    seen = []

    def sampler(n, seed):
        seen.append((n, seed))
        return images(n, seed=100 + seed)

    result = fid_against_split(sampler, real_images=real, features=feats, num_images=250, batch_size=100,
                               cache_dir=str(tmp_path), seed=7)
    assert seen == [(100, 7), (100, 8), (50, 9)] and result.num_fake == 250 and result.num_real == 250
    shifted = fid_against_split(real + 0.5, real_images=real, features=feats, num_images=250, cache_dir=str(tmp_path))
    assert result.fid < 0.1 * shifted.fid  # same distribution, other draws: only sampling noise


def test_precision_recall_see_quality_and_coverage():
    g = torch.Generator().manual_seed(0)
    real = torch.randn(500, 4, generator=g)
    assert precision_recall(real, torch.randn(500, 4, generator=g)) > (0.8, 0.8)
    collapsed = real[:5].repeat(100, 1)  # realistic but covers a sliver of the data
    precision, recall = precision_recall(real, collapsed)
    assert precision == 1.0 and recall < 0.2
    precision, recall = precision_recall(real, real + 10)  # off the data entirely
    assert precision == 0.0 and recall == 0.0


def test_reference_stats_are_cached_and_keyed(tmp_path):
    dm = DigitsDataModule(image_size=8)
    feats = LinearFeatures()
    protocol = FrechetDistance(features=feats, split="train", num_images=200, cache_dir=str(tmp_path))
    first = protocol.reference(dm)
    calls = feats.calls
    again = protocol.reference(dm)
    assert feats.calls == calls  # served from disk
    assert torch.equal(first.mean, again.mean) and torch.equal(first.cov, again.cov)
    assert torch.equal(first.features, again.features) and first.count == again.count == 200
    files = list((tmp_path / "fid_stats").glob("linear-test-*.pt"))
    assert len(files) == 1 and not list((tmp_path / "fid_stats").glob("*.tmp"))

    other_split = FrechetDistance(features=feats, split="val", num_images=100, cache_dir=str(tmp_path)).reference(dm)
    assert feats.calls > calls and not torch.equal(other_split.mean, first.mean)
    fewer = FrechetDistance(features=feats, split="train", num_images=100, cache_dir=str(tmp_path)).reference(dm)
    assert fewer.count == 100 and len(list((tmp_path / "fid_stats").glob("*.pt"))) == 3
    # Other weights (same name) must not hit the cache either.
    with torch.no_grad():
        feats.proj.weight.mul_(2)
    feats.__dict__.pop("_fingerprint")
    assert not torch.equal(protocol.reference(dm).mean, first.mean)


def test_wrong_image_size_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"generated images are \(1, 16, 16\)"):
        fid_against_split(torch.zeros(10, 1, 16, 16), real_images=images(10), features=LinearFeatures(),
                          cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match="only 10 images"):
        fid_against_split(images(10), real_images=images(10), features=LinearFeatures(), num_images=50,
                          cache_dir=str(tmp_path))


def test_missing_inception_weights_say_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as err:
        InceptionFeatures()
    message = str(err.value)
    assert INCEPTION_FILES[0] in message and str(tmp_path / "hub" / "checkpoints") in message
    assert "metric.features.inception_weights=PATH" in message and "metric=fid_synthfaces" in message
    with pytest.raises(FileNotFoundError, match="nope.pth"):
        fid_features("inception", inception_weights=str(tmp_path / "nope.pth"))


def test_metric_config_builds_the_protocol(compose_cfg):
    cfg = compose_cfg("+experiment=classifier", "metric=fid_synthfaces")
    protocol = instantiate(cfg.metric)
    assert isinstance(protocol, FrechetDistance) and protocol._extractor is None  # nothing trained yet
    assert protocol.features.func is fid_features and protocol.features.keywords["name"] == "features-synthfaces32"
    assert protocol.cache_dir == cfg.paths.cache_dir


@pytest.mark.parametrize("name,datamodule", [("features-digits32", DigitsDataModule),
                                             ("features-multidigits32", MultiDigitsDataModule),
                                             ("features-synthfaces32", SynthFacesDataModule)])
def test_feature_nets_train_in_the_zoo_and_report_their_accuracy(tmp_path, name, datamodule):
    extractor = fid_features(name, cache_dir=str(tmp_path), overrides=FAST)
    assert "acc" in extractor.scores and ("r2" in extractor.scores) == (name == "features-synthfaces32")
    assert extractor.num_features == 256
    dm = datamodule(image_size=32)
    real = dm.split("test")[torch.arange(60)][0]
    result = fid_against_split(real, dm, split="test", features=extractor, num_images=60, cache_dir=str(tmp_path))
    shifted = fid_against_split(real.flip(3), dm, split="test", features=extractor, num_images=60,
                                cache_dir=str(tmp_path))
    assert abs(result.fid) < 1e-3 * shifted.fid and result.feature_scores == extractor.scores
    assert name in result.describe()

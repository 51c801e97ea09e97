"""FID (Frechet distance between Gaussian fits of feature vectors) through torchmetrics'
FrechetInceptionDistance with a pluggable feature net, plus k-NN precision/recall
(ganlab.metrics.precision_recall) on the same features.

Function API, for any helper:

    from ganlab.metrics.fid import fid_against_split
    result = fid_against_split(images_or_sampler, datamodule, split="train",
                               features=extractor, num_images=5000)
    result.fid, result.precision, result.recall
    result.metrics("test/fid")   # {"test/fid": .., "test/fid_precision": .., "test/fid_features_acc": ..}
    result.describe()            # one line: FID, P/R, which feature net (weights hash, held-out scores), counts

- images_or_sampler: generated images, a tensor [N, C, H, W] in [-1, 1], or a callable
  `sampler(n=..., seed=...)` returning n images, called once per batch with seeds seed,
  seed + 1, ... (a ganlab cGAN's `.sample` fits; wrap a StyleGAN2 generator in a lambda).
- real_images=tensor compares against those real images instead of a split (e.g. "edited
  images against real images that have the attribute").
- features: a FeatureExtractor module (ganlab.metrics.fid_features), or a callable that
  builds one when first needed: `ganlab.pretrained.fid_features("inception")` (real data:
  torchmetrics' FID Inception; the weights file is never downloaded) or
  `fid_features("features-synthfaces32")` (embedded data: ganlab's domain feature net,
  its held-out accuracy in every result).
- The real side's statistics are cached in <cache_dir>/fid_stats/ by a hash of the
  feature net (name + weights), the data (datamodule settings + split + count, or the
  image tensor's hash) and the number of features kept for precision/recall.

From configs: `metric=fid_synthfaces` (configs/metric/) builds a FrechetDistance, the same
protocol as an object: `cfg.metric(images_or_sampler, datamodule)` -> FIDResult."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from torchmetrics.image.fid import FrechetInceptionDistance

from ganlab.metrics import reference_stats
from ganlab.metrics.fid_features import FeatureExtractor
from ganlab.metrics.precision_recall import precision_recall
from ganlab.zoo_catalog import default_cache_dir

Images = torch.Tensor | Callable[..., torch.Tensor]


@dataclass
class FIDResult:
    fid: float
    precision: float | None
    recall: float | None
    num_real: int
    num_fake: int
    features: str  # the feature net's name and weights hash
    feature_scores: dict[str, float] = field(default_factory=dict)  # its held-out accuracy, R^2

    def metrics(self, prefix: str = "fid") -> dict[str, float]:
        out = {prefix: self.fid}
        if self.precision is not None:
            out.update({f"{prefix}_precision": self.precision, f"{prefix}_recall": self.recall})
        out.update({f"{prefix}_features_{k}": v for k, v in self.feature_scores.items()})
        return out

    def describe(self) -> str:
        pr = f", precision {self.precision:.3f}, recall {self.recall:.3f}" if self.precision is not None else ""
        scores = ", ".join(f"{k} {v:.3f}" for k, v in self.feature_scores.items())
        return (f"FID {self.fid:.2f}{pr} ({self.num_fake} vs {self.num_real} real images; features "
                f"{self.features}{'; held-out ' + scores if scores else ''})")


class FrechetDistance:
    """A FID protocol: which feature net, which real images, how many. Call it with the
    generated images (or a sampler) and the datamodule of the real data."""

    def __init__(self, features: FeatureExtractor | Callable[[], FeatureExtractor], split: str = "train",
                 num_images: int | None = 5000, precision_recall: bool = True, k: int = 3,
                 kept_features: int = 10000, batch_size: int = 250, seed: int = 0, cache_dir: str | None = None,
                 device: str = "cpu"):
        if num_images is not None and num_images < 2:
            raise ValueError(f"num_images must be >= 2 (FID needs a covariance), got {num_images}")
        self.features, self.split, self.num_images = features, split, num_images
        self.precision_recall, self.k, self.kept_features = precision_recall, k, kept_features
        self.batch_size, self.seed, self.device = batch_size, seed, device
        self.cache_dir = cache_dir if cache_dir is not None else str(default_cache_dir())
        if not isinstance(features, FeatureExtractor) and not callable(features):
            raise TypeError(f"FID features: a FeatureExtractor or a callable that builds one, got {features!r} "
                            f"(from configs: features: {{_target_: ganlab.pretrained.fid_features, _partial_: true, "
                            f"name: ...}})")
        self._extractor: FeatureExtractor | None = features if isinstance(features, FeatureExtractor) else None

    @property
    def extractor(self) -> FeatureExtractor:
        if self._extractor is None:
            self._extractor = self.features()  # built when first needed: a zoo net may have to train
        return self._extractor

    def _metric(self) -> FrechetInceptionDistance:
        return FrechetInceptionDistance(feature=self.extractor, reset_real_features=False).to(self.device)

    @torch.no_grad()
    def _accumulate(self, metric: FrechetInceptionDistance, batches: Iterator[torch.Tensor], real: bool,
                    shape: tuple[int, ...]) -> torch.Tensor:
        """Feed batches to the metric; returns the first `kept_features` feature vectors."""
        kept: list[torch.Tensor] = []
        room = self.kept_features

        def keep(module, inputs, output):
            nonlocal room
            if room > 0:
                kept.append(output[:room].detach().float().cpu())
                room -= len(kept[-1])

        handle = self.extractor.register_forward_hook(keep)
        try:
            for batch in batches:
                if tuple(batch.shape[1:]) != shape:
                    raise ValueError(f"FID: {'real' if real else 'generated'} images are {tuple(batch.shape[1:])}, "
                                     f"the real images {shape}; compare images of one size and channel count")
                metric.update(batch.to(self.device, torch.float32), real=real)
        finally:
            handle.remove()
        return torch.cat(kept)

    def reference(self, datamodule=None, real_images: torch.Tensor | None = None) -> reference_stats.ReferenceStats:
        """The real side's statistics, from the cache or computed and cached."""
        if real_images is not None:
            count = _count(len(real_images), self.num_images, "real_images")
            source = {"images": reference_stats.tensor_digest(real_images[:count]), "count": count}
            batches = (real_images[i : min(i + self.batch_size, count)] for i in range(0, count, self.batch_size))
        else:
            data = datamodule.split(self.split)
            count = _count(len(data), self.num_images, f"split {self.split!r}")
            source = {"data": reference_stats.describe_datamodule(datamodule), "split": self.split, "count": count}
            batches = (data[torch.arange(i, min(i + self.batch_size, count))][0]
                       for i in range(0, count, self.batch_size))
        extractor = self.extractor
        key = reference_stats.stats_key(extractor.name, extractor.fingerprint(), source, self.kept_features)
        path = reference_stats.cache_path(self.cache_dir, extractor.name, key)
        cached = reference_stats.load_cached(path, key)
        if cached is not None:
            return cached
        metric = self._metric()
        kept = self._accumulate(metric, batches, real=True, shape=self._real_shape(datamodule, real_images))
        n = int(metric.real_features_num_samples)
        mean = metric.real_features_sum / n
        cov = (metric.real_features_cov_sum - n * torch.outer(mean, mean)) / (n - 1)
        stats = reference_stats.ReferenceStats(mean.cpu(), cov.cpu(), n, kept, key)
        reference_stats.save(path, stats)
        return stats

    @staticmethod
    def _real_shape(datamodule, real_images: torch.Tensor | None) -> tuple[int, ...]:
        if real_images is not None:
            return tuple(real_images.shape[1:])
        return datamodule.channels, datamodule.image_size, datamodule.image_size

    def __call__(self, images_or_sampler: Images, datamodule=None,
                 real_images: torch.Tensor | None = None) -> FIDResult:
        if datamodule is None and real_images is None:
            raise ValueError("FID needs real images: a datamodule (its split) or real_images=tensor")
        ref = self.reference(datamodule, real_images)
        metric = self._metric()
        # The real side from the cache, in the metric's own terms (sums of x and x x^T).
        metric.real_features_num_samples = torch.tensor(ref.count, device=self.device)
        metric.real_features_sum = (ref.mean * ref.count).to(self.device)
        metric.real_features_cov_sum = (ref.cov * (ref.count - 1) + ref.count * torch.outer(ref.mean, ref.mean)
                                        ).to(self.device)
        fake = self._accumulate(metric, self._generated(images_or_sampler), real=False,
                                shape=self._real_shape(datamodule, real_images))
        fid = float(metric.compute())
        precision = recall = None
        if self.precision_recall:
            precision, recall = precision_recall(ref.features, fake, self.k)
        return FIDResult(fid, precision, recall, ref.count, int(metric.fake_features_num_samples),
                         f"{self.extractor.name} [{self.extractor.fingerprint()}]", dict(self.extractor.scores))

    def _generated(self, images_or_sampler: Images) -> Iterator[torch.Tensor]:
        if isinstance(images_or_sampler, torch.Tensor):
            count = _count(len(images_or_sampler), self.num_images, "generated images")
            for i in range(0, count, self.batch_size):
                yield images_or_sampler[i : min(i + self.batch_size, count)]
            return
        if self.num_images is None:
            raise ValueError("FID with a sampler needs num_images (how many images to draw)")
        for j, i in enumerate(range(0, self.num_images, self.batch_size)):
            yield images_or_sampler(n=min(self.batch_size, self.num_images - i), seed=self.seed + j)


def _count(available: int, wanted: int | None, what: str) -> int:
    if wanted is None:
        return available
    if wanted > available:
        raise ValueError(f"FID: num_images={wanted} but {what} has only {available} images")
    return wanted


def fid_against_split(images_or_sampler: Images, datamodule=None, split: str = "train",
                      features: FeatureExtractor | Callable[[], FeatureExtractor] | None = None,
                      num_images: int | None = None,
                      real_images: torch.Tensor | None = None, **options) -> FIDResult:
    """FID (+ precision/recall) of generated images against a datamodule's split or a
    tensor of real images; `options` are FrechetDistance's (cache_dir, precision_recall, k,
    batch_size, seed, device)."""
    protocol = FrechetDistance(features=features, split=split, num_images=num_images, **options)
    return protocol(images_or_sampler, datamodule, real_images=real_images)

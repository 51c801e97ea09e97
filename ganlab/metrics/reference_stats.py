"""Real-image feature statistics for FID (mean, covariance, count) plus a sample of the
features themselves (for precision/recall), cached on disk by a hash of what produced
them: the feature net (name + weights hash), the real images (dataset settings, split
and count, or the hash of a given image tensor) and how many features are kept.
Written atomically, read without unpickling code."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch

from ganlab.module_files import atomic_save

# Datamodule attributes that change how images are served, not which images.
_NOT_DATA = {"batch_size", "num_workers", "trainer", "prepare_data_per_node",
             "allow_zero_length_dataloader_with_multiple_devices"}


@dataclass
class ReferenceStats:
    mean: torch.Tensor  # [D] float64
    cov: torch.Tensor  # [D, D] float64
    count: int
    features: torch.Tensor  # [<= kept, D] float32, the first ones seen
    key: str  # the JSON text the cache file is named by


def describe_datamodule(datamodule) -> dict:
    """The datamodule's class and plain settings (what decides its images)."""
    plain = (int, float, str, bool, type(None))
    settings = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in sorted(vars(datamodule).items())
                if not k.startswith("_") and k not in _NOT_DATA
                and (isinstance(v, plain) or (isinstance(v, (list, tuple)) and all(isinstance(i, plain) for i in v)))}
    return {"class": f"{type(datamodule).__module__}.{type(datamodule).__qualname__}", **settings}


def tensor_digest(tensor: torch.Tensor) -> str:
    """sha256 (16 hex digits) of a tensor's shape, dtype and bytes."""
    data = tensor.detach().cpu().contiguous()
    h = hashlib.sha256(f"{tuple(data.shape)}{data.dtype}".encode())
    h.update(data.view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()[:16]


def stats_key(features_name: str, fingerprint: str, source: dict, kept: int) -> str:
    return json.dumps({"features": features_name, "weights": fingerprint, "source": source, "kept": kept},
                      sort_keys=True)


def cache_path(cache_dir: str | Path, features_name: str, key: str) -> Path:
    return Path(cache_dir) / "fid_stats" / f"{features_name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pt"


def load_cached(path: Path, key: str) -> ReferenceStats | None:
    if not path.is_file():
        return None
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if payload["key"] != key:  # a hash collision, or a file from another layout: recompute
        return None
    return ReferenceStats(payload["mean"], payload["cov"], int(payload["count"]), payload["features"], key)


def save(path: Path, stats: ReferenceStats) -> None:
    atomic_save({"key": stats.key, "mean": stats.mean, "cov": stats.cov, "count": stats.count,
                 "features": stats.features}, path)

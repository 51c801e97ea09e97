"""Held-out accuracy of an image classifier: overall, and per class (recall) or per
attribute."""

from __future__ import annotations

from pathlib import Path

import torch


class ClassifierEvaluation:
    def __init__(self, max_batches: int | None = None):
        self.max_batches = max_batches

    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        classifier = stages["classifier"]
        names = datamodule.label_spec.names
        hits, counts = torch.zeros(len(names)), torch.zeros(len(names))
        for i, (x, y) in enumerate(datamodule.test_dataloader()):
            if self.max_batches is not None and i >= self.max_batches:
                break
            pred = classifier.predict(x).cpu()
            if datamodule.label_spec.kind == "categorical":
                hits += (pred * y).sum(0)  # correct predictions, by true class
                counts += y.sum(0)
            else:
                hits += (pred == y).float().sum(0)
                counts += len(x)
        per_label = hits / counts.clamp(min=1)
        overall = hits.sum() / counts.sum() if datamodule.label_spec.kind == "categorical" else per_label.mean()
        return {"test/acc": float(overall), **{f"test/acc_{n}": float(v) for n, v in zip(names, per_label)}}

"""Held-out accuracy of an image classifier: overall, and per class (recall) or per
attribute."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab.evaluation.protocol import Evaluation


class ClassifierEvaluation(Evaluation):
    stage_parameters = ("classifier_stage",)

    def __init__(self, classifier_stage: str = "classifier", max_batches: int | None = None):
        self.classifier_stage, self.max_batches = classifier_stage, max_batches

    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        classifier = stages[self.classifier_stage]
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

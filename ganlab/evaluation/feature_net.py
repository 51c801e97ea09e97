"""Held-out scores of a domain feature net: label accuracy and, for regressed columns,
R^2, over the whole test split (the numbers every FID made with it reports)."""

from __future__ import annotations

from pathlib import Path

from ganlab.evaluation.held_out import predict_test_split
from ganlab.evaluation.protocol import Evaluation


class FeatureNetEvaluation(Evaluation):
    stage_parameters = ("features_stage",)

    def __init__(self, features_stage: str = "features", max_batches: int | None = None):
        self.features_stage, self.max_batches = features_stage, max_batches

    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        net = stages[self.features_stage]
        out, y = predict_test_split(net, datamodule, self.max_batches)
        metrics = {"test/acc": float(net.accuracy(out, y))}
        if net.regress_dims:
            metrics["test/r2"] = float(net.r2(out, y))
        return metrics

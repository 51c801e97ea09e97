"""Held-out scores of a domain feature net: label accuracy and, for regressed columns,
R^2, over the whole test split (the numbers every FID made with it reports)."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab.nets.mode import evaluating


class FeatureNetEvaluation:
    def __init__(self, max_batches: int | None = None):
        self.max_batches = max_batches

    @torch.no_grad()
    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        net = stages["features"]
        outs, labels = [], []
        with evaluating(net):
            for i, (x, y) in enumerate(datamodule.test_dataloader()):
                if self.max_batches is not None and i >= self.max_batches:
                    break
                outs.append(net(x.to(net.device)).cpu())
                labels.append(y)
        out, y = torch.cat(outs), torch.cat(labels)
        metrics = {"test/acc": float(net.accuracy(out, y))}
        if net.regress_dims:
            metrics["test/r2"] = float(net.r2(out, y))
        return metrics

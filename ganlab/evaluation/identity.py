"""How well the identity net tells people apart on held-out synthfaces: R^2 per factor,
and the similarity it gives to the same identity under one attribute changed (a
ground-truth counterfactual; overall and per attribute) against that of two different
identities."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab.data.synthfaces import ATTRIBUTES, IDENTITY_FACTORS, set_attribute
from ganlab.evaluation.held_out import predict_test_split
from ganlab.evaluation.protocol import Evaluation


class IdentityEvaluation(Evaluation):
    stage_parameters = ("identity_stage",)

    def __init__(self, identity_stage: str = "identity", max_batches: int | None = None, pairs: int = 1000):
        self.identity_stage, self.max_batches, self.pairs = identity_stage, max_batches, pairs

    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        net = stages[self.identity_stage]
        pred, true = predict_test_split(net, datamodule, self.max_batches)
        r2 = 1 - ((pred - true) ** 2).sum(0) / ((true - true.mean(0)) ** 2).sum(0).clamp(min=1e-8)
        metrics = {"test/r2": float(r2.mean()), **{f"test/r2_{n}": float(v) for n, v in zip(IDENTITY_FACTORS, r2)}}

        attrs, ident = datamodule.factors("test")
        n = min(self.pairs, len(attrs))
        g = torch.Generator().manual_seed(0)
        which = torch.randint(len(ATTRIBUTES), (n,), generator=g)
        edited = attrs[:n].clone()
        for k in range(len(ATTRIBUTES)):  # one attribute flipped per image
            rows = which == k
            edited[rows] = set_attribute(attrs[:n][rows], ATTRIBUTES[k], 1 - attrs[:n][rows, k])
        same = net.similarity(datamodule.render(attrs[:n], ident[:n]), datamodule.render(edited, ident[:n]))
        other = ident[torch.randperm(n, generator=g)]
        diff = net.similarity(datamodule.render(attrs[:n], ident[:n]), datamodule.render(attrs[:n], other))
        metrics.update({"test/id_same": float(same.mean()), "test/id_different": float(diff.mean())})
        # Per flipped attribute: the most an edit of it can score (a perfect edit is this counterfactual).
        metrics.update({f"test/id_same_{name}": float(same[which == k].mean()) for k, name in enumerate(ATTRIBUTES)
                        if (which == k).any()})
        return metrics

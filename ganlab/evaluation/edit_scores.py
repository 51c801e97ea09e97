"""Scores of one edit of latent codes, judged on the rendered images (LT / LW protocol):

- target change: share of edited images the image classifier assigns the target
  (attribute present at p > 0.5, or the target class);
- attribute preservation: share of the other attributes whose verdict (p > 0.5) is the
  same before and after, averaged over images (binary labels only);
- identity preservation: mean cosine similarity of identity embeddings before / after
  (ArcFace on faces, the identity-factor net on synthfaces);
- latent target change: the same as target change, by the latent classifier on the codes."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ganlab.data.code_render import render_codes
from ganlab.data.latents import classify, hard_labels
from ganlab.data.tasks import EditTask


@dataclass
class Observation:
    codes: torch.Tensor
    images: torch.Tensor
    predictions: torch.Tensor  # hard, [N, K]


class EditJudge:
    def __init__(self, generator: nn.Module, classifier: nn.Module, kind: str, image_size: int,
                 latent_classifier: nn.Module | None = None, identity: nn.Module | None = None,
                 batch_size: int = 128):
        self.generator, self.classifier, self.kind, self.image_size = generator, classifier, kind, image_size
        self.latent_classifier, self.identity, self.batch_size = latent_classifier, identity, batch_size

    def observe(self, codes: torch.Tensor) -> Observation:
        images = render_codes(self.generator, codes, self.image_size, self.batch_size)
        return Observation(codes, images, hard_labels(classify(self.classifier, images, self.kind), self.kind))

    def target_change(self, task: EditTask, edited: Observation) -> float:
        return float(task.reached(edited.predictions).float().mean())

    def latent_target_change(self, task: EditTask, codes: torch.Tensor) -> float:
        """The latent classifier's target change on edited codes (nothing rendered)."""
        return float(task.reached(self.latent_classifier.predict(codes).cpu()).float().mean())

    def score(self, task: EditTask, before: Observation, edited: Observation) -> dict[str, float]:
        scores = {"target_change": self.target_change(task, edited)}
        others = [j for j in range(before.predictions.shape[1]) if j != task.target_column]
        if self.kind == "binary" and others:
            kept = edited.predictions[:, others] == before.predictions[:, others]
            scores["preservation"] = float(kept.float().mean())
        if self.identity is not None:
            scores["identity"] = float(self.identity.similarity(before.images, edited.images).mean())
        if self.latent_classifier is not None:
            scores["latent_change"] = self.latent_target_change(task, edited.codes)
        return scores

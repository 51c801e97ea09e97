"""The true counterfactuals of latent codes that invert real images (`data.source=invert` on
data that renders an image from its factors, e.g. synthfaces): code i of the test split
is the inversion of test image i, whose perfect edit toward the task's target is
render(its attributes with the task's attribute set to the target, its identity), with the
data generator's hard rules applied (ganlab.data.synthfaces.counterfactual_attributes).
Latent editors' edits of those codes are then scored against it
(ganlab.metrics.counterfactual), beside the classifier-based target change."""

from __future__ import annotations

import torch

from ganlab.data.synthfaces import ATTRIBUTES, counterfactual_attributes
from ganlab.data.tasks import EditTask
from ganlab.evaluation.inversion_counterfactual import renders_counterfactuals


def code_counterfactuals(datamodule, task: EditTask, rows: torch.Tensor) -> torch.Tensor | None:
    """Counterfactual images [len(rows), C, H, W] in [-1, 1] of the test codes `rows`, or None
    where the codes are not inversions of images that can render one (sampled codes, other
    data, a categorical label)."""
    if (getattr(datamodule, "source", None) != "invert" or not renders_counterfactuals(datamodule)
            or datamodule.label_spec.kind != "binary" or task.name not in ATTRIBUTES):
        return None
    images = datamodule.images
    attributes, identity = images.factors("test")
    attributes, identity = attributes[rows], identity[rows]
    return images.render(counterfactual_attributes(attributes, task.name, task.target_value), identity)

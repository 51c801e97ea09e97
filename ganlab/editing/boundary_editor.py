"""InterFaceGAN at a position of an attribute's range, as an Editor on W codes [N, D]: task a
moves each code along a's boundary normal to the signed distance at position `strength`
(scalar or one per code) of the range the boundaries were fitted with (SelfLabels' scale:
0 = the lowest training distance, 1 = the highest). SCGAN's evaluation compares it with the
mode edit at the same positions."""

from __future__ import annotations

import torch

from ganlab.editing.self_labels import SelfLabels


class BoundaryEditor:
    def __init__(self, labels: SelfLabels, tasks: list[str], name: str = "InterFaceGAN"):
        if len(tasks) != len(labels.normals):
            raise ValueError(f"{name}: {len(tasks)} tasks for {len(labels.normals)} boundaries")
        self.labels, self.tasks, self.name = labels, list(tasks), name

    def edit(self, codes: torch.Tensor, task: int, strength: torch.Tensor | float) -> torch.Tensor:
        shift = self.labels.distance_at(strength)[..., task] - self.labels.distances(codes)[:, task]
        return codes + shift.unsqueeze(1) * self.labels.normals[task].to(codes)

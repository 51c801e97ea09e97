"""Training-free editors: one fixed direction u per task, w' = w + alpha * s * u, with s the
distance between the class means along u (so alpha = 1 moves a typical negative to a
typical positive). Fitting is one pass over the training codes; as a recipe stage it is a
"fit" of one step with no optimiser, and the evaluation fits them as baselines directly.

- InterFaceGAN (Shen et al. 2020): u = the unit normal of a linear SVM separating P- from P+.
- GANSpace (Harkonen et al. 2020): u = the principal component of the codes whose
  coordinate correlates most with the P- / P+ labels, oriented toward P+."""

from __future__ import annotations

import math

import torch
from torch import nn

from ganlab.editing.editor import alpha_column
from ganlab.editing.ganspace import component_for, fit_pca
from ganlab.editing.interfacegan import fit_boundary
from ganlab.methods.editors.latent_editor import LatentEditor


class DirectionEditor(LatentEditor):
    def __init__(self, tasks: list[str], label_names: list[str], label_kind: str, code_shape: list[int],
                 name: str, seed: int = 0, latent_classifier: nn.Module | None = None):
        """latent_classifier: not used; accepted so any editor fills a recipe's editor stage."""
        super().__init__(tasks, label_names, label_kind, name, seed)
        self.automatic_optimization = False
        self.code_shape = list(code_shape)
        size = math.prod(self.code_shape)
        self.register_buffer("directions", torch.zeros(len(self.tasks), size))
        self.register_buffer("scales", torch.zeros(len(self.tasks)))

    def begin_fit(self, codes: torch.Tensor) -> None:
        """Work shared by all tasks, on every flattened training code [N, F]."""

    def direction(self, codes: torch.Tensor, positive: torch.Tensor) -> torch.Tensor:
        """Unit direction [F] toward the positives, from one task's flattened codes [N, F]."""
        raise NotImplementedError

    @torch.no_grad()
    def fit_directions(self, datamodule) -> DirectionEditor:
        data = datamodule.split("train")
        flat = data.codes.flatten(1).float()
        if list(data.codes.shape[1:]) != self.code_shape:
            raise ValueError(f"{self.name}: codes are {list(data.codes.shape[1:])}, editor built for {self.code_shape}")
        self.begin_fit(flat)
        for k, task in enumerate(self.task_specs):
            src, tgt = task.sources(data.labels), task.targets(data.labels)
            inside = src | tgt
            u = self.direction(flat[inside], tgt[inside])
            self.directions[k] = u.to(self.directions)
            self.scales[k] = float((flat[tgt] @ u).mean() - (flat[src] @ u).mean())
        return self

    def training_batches(self, datamodule) -> list[int]:
        return [0]

    def training_step(self, batch, batch_idx):
        self.fit_directions(self.trainer.datamodule)

    def configure_optimizers(self):
        return None

    def edit(self, codes: torch.Tensor, task: int, alpha: torch.Tensor | float) -> torch.Tensor:
        step = (self.scales[task] * self.directions[task]).to(codes).view(1, *codes.shape[1:])
        return codes + alpha_column(alpha, codes) * step


class InterFaceGANEditor(DirectionEditor):
    def __init__(self, tasks: list[str], label_names: list[str], label_kind: str, code_shape: list[int],
                 svm_c: float = 1.0, max_samples: int = 20000, name: str = "InterFaceGAN", seed: int = 0,
                 latent_classifier: nn.Module | None = None):
        super().__init__(tasks, label_names, label_kind, code_shape, name, seed)
        self.svm_c, self.max_samples = svm_c, max_samples

    def direction(self, codes, positive):
        return fit_boundary(codes, positive.float(), C=self.svm_c, max_samples=self.max_samples, seed=self.seed).normal


class GANSpaceEditor(DirectionEditor):
    def __init__(self, tasks: list[str], label_names: list[str], label_kind: str, code_shape: list[int],
                 num_components: int = 32, name: str = "GANSpace", seed: int = 0,
                 latent_classifier: nn.Module | None = None):
        super().__init__(tasks, label_names, label_kind, code_shape, name, seed)
        self.num_components = num_components
        self._pca = None

    def begin_fit(self, codes):
        self._pca = fit_pca(codes, self.num_components)

    def direction(self, codes, positive):
        return component_for(self._pca, codes, positive.float())[1]

"""SCGAN evaluation: generative bias and editing at the tails, as tables (markdown + CSV) and
PNG plots in the run folder.

- Generative bias: how often each chosen attribute appears (independent classifier) in
  `num_samples` samples of the base generator, of the fine-tuned one with every attribute's
  mode drawn uniformly over its range, and in the real data.
- Generator realism: what fine-tuning cost the generator itself. Every label's frequency
  and the FID / precision / recall of the base G, of the fine-tuned G at the self-labels of
  the base images (the data's own modes), and of the fine-tuned G with uniform modes.
- Editing at the tails (the authors' protocol: generated sources, so no inversion error
  enters): sources are draws of z whose base image and SCGAN image both lack the attribute;
  SCGAN draws a source at the self-labels of its base image (inverted and measured against
  the boundaries, as the training images were labelled); each is edited to
  positions t of the attribute's self-label range (t = 1: the largest distance seen in the
  training data; t > 1 extrapolates). SCGAN moves the mode weights and keeps the code;
  InterFaceGAN moves the base generator's code along its boundary normal (`interfacegan`:
  its own boundaries, scaled by the same training images' range along them; None: the
  self-labels' boundaries) to the signed distance at the same position. Scored: success
  (classifier), identity (similarity to the unedited source of the same method), other
  attributes kept, FID of the edited images against real images that have the attribute.
- Tails check, at matched success: InterFaceGAN's strongest edit with success >=
  `success_target` against SCGAN's mildest edit with at least that success (bisected
  between grid positions, `match_steps`): does SCGAN keep identity better, with a lower FID?

The protocol composes the parts, one file each: scgan_bias, scgan_realism, scgan_tails (the
edits and the tails check), scgan_grids, on the draws and verdicts of scgan_samples."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ganlab.editing.boundary_editor import BoundaryEditor
from ganlab.editing.mode_edit import ModeEditor
from ganlab.editing.self_labels import SelfLabels, level_labels
from ganlab.evaluation.protocol import Evaluation
from ganlab.evaluation.scgan_bias import GenerativeBias
from ganlab.evaluation.scgan_grids import EditGrids
from ganlab.evaluation.scgan_realism import GeneratorRealism
from ganlab.evaluation.scgan_report import plot_positions
from ganlab.evaluation.scgan_tails import EditingAtTails


class SCGANEvaluation(GenerativeBias, GeneratorRealism, EditingAtTails, EditGrids, Evaluation):
    """classifier: zoo attribute classifier over `label_names` (None: no frequencies, success
    or tails check); identity: `.similarity(a, b)` (None: skipped); features: `.features(x)`
    for FID (None: skipped); interfacegan: a boundary source (ganlab.editing.boundary_sources)
    for the InterFaceGAN baseline (None: the self-labels' boundaries). max_batches (debug
    runs): sample counts capped at max_batches * batch_size, only the mildest and strongest
    edit positions, at most 2 grid rows."""

    stage_parameters = ("scgan_stage",)

    def __init__(self, classifier: nn.Module | None, identity: nn.Module | None, features: nn.Module | None,
                 label_names: list[str], interfacegan=None, scgan_stage: str = "scgan", num_samples: int = 10000,
                 edit_samples: int = 1000,
                 positions: list[float] = (0.5, 0.625, 0.75, 0.875, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0),
                 success_target: float = 0.8,
                 batch_size: int = 500, seed: int = 12345, grid_images: int = 6, grid_size: int = 128,
                 match_steps: int = 5, refine_steps: int = 0, pti_steps: int = 0, max_batches: int | None = None):
        self.classifier, self.identity, self.features = classifier, identity, features
        self.interfacegan = interfacegan
        self.label_names, self.scgan_stage = list(label_names), scgan_stage
        limit = (lambda n: n) if max_batches is None else (lambda n: min(n, max_batches * batch_size))
        self.num_samples, self.edit_samples = limit(num_samples), limit(edit_samples)
        self.label_limit = None if max_batches is None else max_batches * batch_size
        self.positions, self.success_target, self.match_steps = sorted(positions), success_target, match_steps
        self.grid_images, self.refine_steps, self.pti_steps = grid_images, refine_steps, pti_steps
        if max_batches is not None:  # a quick look: the mildest and the strongest edit, 2 grid rows
            self.positions, self.grid_images = [self.positions[0], self.positions[-1]], min(grid_images, 2)
        self.batch_size, self.seed, self.grid_size = batch_size, seed, grid_size

    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        gan, out_dir = stages[self.scgan_stage], Path(out_dir)
        for net in (self.classifier, self.identity, self.features):
            if net is not None:
                net.to(gan.device)
        self.columns = {a: self._column(a) for a in gan.attributes}
        train = datamodule.split("train")
        real_codes = gan.invert(train, self.label_limit)
        self.ifg_labels = self._interfacegan_labels(gan, real_codes, train)
        # the two edits compared, at the same positions of each attribute's range
        self.editors = {"interfacegan": BoundaryEditor(self.ifg_labels, list(gan.attributes)),
                        "scgan": ModeEditor(list(gan.attributes))}
        positions = gan.labels.positions(real_codes).cpu()
        truth = self._truth(datamodule, "train")
        metrics = self._self_label_report(gan, positions, truth, out_dir)
        metrics.update({"test/label_seconds": float(gan.seconds[0]), "test/finetune_seconds": float(gan.seconds[1]),
                        **{f"test/load_average_{m}min": float(v) for m, v in zip((1, 5, 15), gan.load_average)}})
        if self.classifier is not None:
            bias, samples, freq = self._bias(gan, datamodule, positions, truth, out_dir)
            metrics.update(bias)
            metrics.update(self._realism(samples, freq, datamodule, out_dir))
            metrics.update(self._tails(gan, datamodule, out_dir))
        self._grids(gan, datamodule, out_dir / "samples" / "eval")
        return metrics

    def _column(self, attribute: str) -> int | None:
        return self.label_names.index(attribute) if attribute in self.label_names else None

    def _interfacegan_labels(self, gan, real_codes: torch.Tensor, train) -> SelfLabels:
        """The baseline's boundaries, with the range of the training images' distances to them."""
        if self.interfacegan is None:
            return gan.labels
        normals, offsets = self.interfacegan(gan.base, max_samples=self.label_limit, real_codes=real_codes,
                                             real_images=train)
        labels = SelfLabels(len(gan.attributes), gan.base.style_dim).to(real_codes.device)
        labels.fit(normals.to(real_codes), offsets.to(real_codes), real_codes)
        return labels

    def _self_label_report(self, gan, positions: torch.Tensor, truth: dict, out_dir: Path) -> dict[str, float]:
        """Where the training images fall on each attribute's range (histogram plot)."""
        truth = {a: t[: len(positions)] for a, t in truth.items()}
        plot_positions(positions, gan.attributes, truth, out_dir / "self_label_positions.png")
        high = (level_labels(positions)[..., 2] > 0.5).float().mean(0)
        return {f"test/self_label_high_{a}": float(h) for a, h in zip(gan.attributes, high)}

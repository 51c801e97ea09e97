"""StyleGAN2 evaluation: label (attribute / class) frequencies of g_ema's samples, judged by
an independent zoo classifier, against the data's; sample grids; the generator exported in
rosinality's layout into the run folder. Any module with `.sample(n, seed=, batch_size=)`
(the unconditional DCGAN too) gets the same tables; truncation is StyleGAN2's alone."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab import zoo_catalog
from ganlab.evaluation.protocol import Evaluation
from ganlab.methods.gans.stylegan2 import ROSINALITY_FILE, StyleGAN2
from ganlab.methods.judges.classifier import ImageClassifier
from ganlab.metrics.label_frequencies import frequency_rows, summary, write_tables
from ganlab.reports.grid import Grid, save_grid


class StyleGAN2Evaluation(Evaluation):
    stage_parameters = ("generator_stage",)

    def __init__(self, classifier: ImageClassifier, generator_stage: str = "stylegan2", num_samples: int = 10000,
                 truncation: float = 1.0, batch_size: int = 500, sample_seed: int = 12345,
                 max_batches: int | None = None):
        self.classifier, self.generator_stage = classifier, generator_stage
        self.num_samples, self.truncation, self.batch_size = num_samples, truncation, batch_size
        self.sample_seed, self.max_batches = sample_seed, max_batches

    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        gan, out_dir = stages[self.generator_stage], Path(out_dir)
        stylegan2 = isinstance(gan, StyleGAN2)  # truncation, its grid and the rosinality export are StyleGAN2's
        if not stylegan2 and self.truncation != 1:
            raise ValueError(f"method.evaluate.truncation={self.truncation}: only StyleGAN2 stages truncate, "
                             f"stage {self.generator_stage!r} is a {type(gan).__name__}")
        self.classifier.to(gan.device)
        n = self.num_samples if self.max_batches is None else min(self.num_samples, self.max_batches * self.batch_size)
        truncation = {"truncation": self.truncation} if stylegan2 else {}
        samples = gan.sample(n, seed=self.sample_seed, batch_size=self.batch_size, **truncation)
        on_samples = self.classifier.predict(samples).mean(0).cpu()
        names = datamodule.label_spec.names
        rows = frequency_rows(names, datamodule.labels("train").float().mean(0), self._on_real(datamodule), on_samples)
        write_tables(rows, out_dir, "label_frequencies",
                     f"Label frequencies: data = training labels; classifier_on_real = the zoo classifier on the "
                     f"test images; samples = the classifier on {n} generator samples (truncation "
                     f"{self.truncation}); gap = samples - data.")
        metrics = {f"test/freq_{r['label']}": r["samples"] for r in rows}
        metrics.update({f"test/{k}": v for k, v in summary(rows).items()})
        metrics["test/num_samples"] = float(n)
        held_out = zoo_catalog.metrics(self.classifier).get("held_out/acc")
        if held_out is not None:  # the judge's own accuracy on real held-out images
            metrics["test/classifier_held_out_acc"] = float(held_out)
        save_grid(Grid(gan.sample(64, seed=self.sample_seed), 8), out_dir / "samples" / "eval" / "samples.png",
                  f"Generator samples (seed {self.sample_seed}, no truncation)")
        if stylegan2:
            self._save_truncation_grid(gan, out_dir / "samples" / "eval")
            if not (out_dir / ROSINALITY_FILE).is_file():  # the stage came from the cache
                gan.export_rosinality(out_dir / ROSINALITY_FILE)
        return metrics

    def _on_real(self, datamodule) -> torch.Tensor:
        """Label frequencies the classifier reports on real test images (its own bias)."""
        total, seen = 0, 0
        for i, (x, _) in enumerate(datamodule.test_dataloader()):
            if self.max_batches is not None and i >= self.max_batches:
                break
            total = total + self.classifier.predict(x).sum(0).cpu()
            seen += len(x)
        return total / seen

    def _save_truncation_grid(self, gan, folder: Path) -> None:
        # One row per latent, truncation psi from 1 down to 0 (= the average face).
        psis = torch.linspace(1, 0, 8).tolist()
        rows = torch.stack([gan.sample(8, seed=self.sample_seed, truncation=psi) for psi in psis], 1)
        save_grid(Grid(rows.flatten(0, 1), len(psis), [f"psi = {p:.2f}" for p in psis]), folder / "truncation.png",
                  "Truncation: one latent per row, psi from 1 (no truncation) to 0 (the average image)")

"""IcGAN evaluation on the held-out split: reconstruction quality, E_y accuracy, and
edits x -> (E_z(x), E_y(x)) -> G(z, y_new) scored by an independent classifier.

Edit success (`test/edit_success`, the headline) counts edits only: a digit rendered under
its own class is a reconstruction, so with classes it is the share over the other classes;
`test/edit_success_all` keeps every (image, class) pair. Attribute flips always ask for the
other value, so there the two are equal.

On data that renders counterfactuals (synthfaces), every attribute flip is also scored against
the true counterfactual render(a with the attribute flipped, id), as the inversion recipes'
edits are (ganlab.metrics.counterfactual): test/cf_{moved_toward,distance,psnr}_<attribute>,
from the reconstruction G(E_z(x), E_y(x)) toward it."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab.data.synthfaces import ATTRIBUTES, counterfactual_attributes
from ganlab.editing.condition_swap import ConditionSwap, interpolate, one_hot_targets
from ganlab.editing.label_support import PairSupport
from ganlab.evaluation.inversion_counterfactual import renders_counterfactuals
from ganlab.evaluation.protocol import Evaluation
from ganlab.methods.judges.classifier import ImageClassifier
from ganlab.metrics.counterfactual import CounterfactualTally
from ganlab.metrics.edit_success import EditSuccess
from ganlab.metrics.reconstruction import ReconstructionScores
from ganlab.nets.mode import evaluating
from ganlab.reports.grid import Grid, save_grid


class IcGANEvaluation(Evaluation):
    stage_parameters = ("encoders_stage",)

    def __init__(self, classifier: ImageClassifier, encoders_stage: str = "encoders", grid_images: int = 8,
                 interpolation_steps: int = 8, max_batches: int | None = None):
        self.classifier, self.encoders_stage = classifier, encoders_stage
        self.grid_images, self.interpolation_steps, self.max_batches = grid_images, interpolation_steps, max_batches

    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        encoders = stages[self.encoders_stage]
        spec = datamodule.label_spec
        self.classifier.to(encoders.device)
        generator = encoders.cgan.generator
        recon = ReconstructionScores().to(encoders.device)
        edits = EditSuccess(spec.dim).to(encoders.device)  # target differs from the source label
        all_pairs = EditSuccess(spec.dim).to(encoders.device)  # classes: the source class too
        # Binary labels: the same scores again over the edits whose target label vector the
        # training data supports (see label_support).
        supported_edits = EditSuccess(spec.dim).to(encoders.device)
        support = PairSupport(datamodule.train_labels()) if spec.kind == "binary" else None
        ey_hits = classifier_hits = seen = 0
        renders = spec.kind == "binary" and renders_counterfactuals(datamodule)
        counterfactual = CounterfactualTally() if renders else None
        factors = datamodule.factors("test") if counterfactual is not None else None
        with evaluating(generator):
            for i, (x, y) in enumerate(datamodule.test_dataloader()):
                if self.max_batches is not None and i >= self.max_batches:
                    break
                x, y = x.to(encoders.device), y.to(encoders.device)
                z, y_hat = encoders.encode(x)
                reconstruction = generator(z, y_hat)
                recon.update(reconstruction, x)
                verdict = self.classifier.predict(x)
                ey_hits += self._label_hits(y_hat, y, spec.kind)
                classifier_hits += self._label_hits(verdict, y, spec.kind)
                if spec.kind == "categorical":
                    self._score_class_swaps(generator, z, y, edits, all_pairs)
                else:
                    flipped = self._score_attribute_flips(generator, z, y_hat, y, verdict, edits, supported_edits,
                                                          support)
                    if counterfactual is not None:
                        batch_factors = tuple(f[seen:seen + len(x)] for f in factors)
                        self._score_counterfactuals(flipped, reconstruction, batch_factors, spec.names, datamodule,
                                                    counterfactual)
                seen += len(x)
        if spec.kind == "binary":
            all_pairs = edits  # every flip asks for the value the image does not have
        metrics = {f"test/{k}": float(v) for k, v in recon.compute().items()}
        metrics["test/ey_acc"] = ey_hits / seen
        metrics["test/classifier_acc"] = classifier_hits / seen
        scores = edits.compute()
        metrics["test/edit_success"] = float(scores["success_all"])
        metrics["test/edit_success_all"] = float(all_pairs.compute()["success_all"])
        metrics["test/edit_success_min"] = float(scores["success"].min())
        for name, value in zip(spec.names, scores["success"].tolist()):
            metrics[f"test/edit_success_{name}"] = value
        if spec.kind == "binary":
            metrics["test/preservation"] = float(scores["preservation_all"])
            metrics["test/preservation_min"] = float(scores["preservation"].min())
            for name, value in zip(spec.names, scores["preservation"].tolist()):
                metrics[f"test/preservation_{name}"] = value
            share = supported_edits.count / edits.count.clamp(min=1)  # each attribute's supported edits
            metrics.update(self._supported_metrics(supported_edits.compute(), share, spec.names))
        if counterfactual is not None:
            summary = counterfactual.summary()
            for (name,), scores in summary.items():
                metrics.update({f"test/cf_{metric}_{name}": v for metric, v in scores.items()})
            metrics["test/cf_moved_toward"] = sum(s["moved_toward"] for s in summary.values()) / len(summary)
        self._save_grids(encoders, datamodule, Path(out_dir) / "samples" / "eval")
        return metrics

    @staticmethod
    def _label_hits(pred: torch.Tensor, y: torch.Tensor, kind: str) -> float:
        """Correct labels, counted per image (binary: mean over attributes)."""
        if kind == "categorical":
            return float((pred.argmax(1) == y.argmax(1)).sum())
        return float(((pred > 0.5).float() == y).float().mean(1).sum())

    def _score_class_swaps(self, generator, z, y, edits: EditSuccess, all_pairs: EditSuccess) -> None:
        """Every image under every class; `edits` gets the pairs whose class is not the image's own."""
        num_classes = y.shape[1]
        z_all, y_all = one_hot_targets(z, num_classes)
        reached = (self.classifier.predict(generator(z_all, y_all)).argmax(1) == y_all.argmax(1)).view(-1, num_classes)
        other = y.argmax(1, keepdim=True) != torch.arange(num_classes, device=y.device)  # [B, K]
        for c in range(num_classes):
            all_pairs.update(c, reached[:, c])
            edits.update(c, reached[other[:, c], c])

    def _score_attribute_flips(self, generator, z, y_hat, y, verdict, edits: EditSuccess,
                               supported_edits: EditSuccess, support: PairSupport) -> list[torch.Tensor]:
        """Scores each attribute's flip; returns the flipped images, one tensor per attribute."""
        swap = ConditionSwap([str(a) for a in range(y.shape[1])], "binary")
        flipped = []
        for a in range(y.shape[1]):
            target = 1 - y[:, a]
            flipped.append(generator(z, swap.edit(y_hat, a, target)))
            edited = self.classifier.predict(flipped[-1])
            others = torch.ones(y.shape[1], dtype=torch.bool, device=y.device)
            others[a] = False
            kept = (edited[:, others] == verdict[:, others]).float().mean(1)
            reached = edited[:, a] == target
            edits.update(a, reached, kept)
            ok = support.supported(swap.edit(y, a, target))
            supported_edits.update(a, reached[ok], kept[ok])
        return flipped

    @staticmethod
    def _score_counterfactuals(flipped: list[torch.Tensor], reconstruction: torch.Tensor, factors: tuple,
                               names: list[str], datamodule, tally: CounterfactualTally) -> None:
        """Each attribute's flip against render(the true attributes with it flipped, identity)."""
        attributes, identity = factors
        for images, name in zip(flipped, names):
            k = ATTRIBUTES.index(name)
            truth = datamodule.render(counterfactual_attributes(attributes, name, 1 - attributes[:, k]), identity)
            tally.update((name,), images, reconstruction, truth.to(images.device))

    @staticmethod
    def _supported_metrics(scores: dict, share: torch.Tensor, names: list[str]) -> dict[str, float]:
        """test/supported/*: success and preservation over supported edits (an attribute with
        none gets no entry), and the share of each attribute's edits that are supported."""
        metrics = {"test/supported/share": float(share.mean())}
        metrics.update({f"test/supported/share_{n}": v for n, v in zip(names, share.tolist())})
        scored = share > 0
        if not bool(scored.any()):
            return metrics
        for key, score in (("edit_success", "success"), ("preservation", "preservation")):
            metrics[f"test/supported/{key}"] = float(scores[f"{score}_all"])
            metrics[f"test/supported/{key}_min"] = float(scores[score][scored].min())
            metrics.update({f"test/supported/{key}_{n}": v
                            for n, v, ok in zip(names, scores[score].tolist(), scored.tolist()) if ok})
        return metrics

    def _save_grids(self, encoders, datamodule, folder: Path) -> None:
        test = datamodule.split("test")
        n = max(1, min(self.grid_images, len(test) // 2))
        x, y = test[torch.arange(min(2 * n, len(test)))]
        x, y = x.to(encoders.device), y.to(encoders.device)
        generator = encoders.cgan.generator
        z, y_hat = encoders.encode(x)
        names = list(datamodule.label_spec.names)
        with evaluating(generator):
            save_grid(Grid(torch.cat([x[:n], generator(z[:n], y_hat[:n])]), n, rows=["test image", "G(E_z, E_y)"]),
                      folder / "reconstructions.png", "IcGAN reconstructions: test images above G(E_z(x), E_y(x))")
            k = y.shape[1]
            if datamodule.label_spec.kind == "categorical":
                z_all, y_all = one_hot_targets(z[:n], k)
                swaps = generator(z_all, y_all).view(n, k, *x.shape[1:])
                targets, how = [f"y = {name}" for name in names], "its E_z(x) with each class"
            else:
                swap = ConditionSwap(names, "binary")
                swaps = torch.stack([generator(z[:n], swap.edit(y_hat[:n], a, 1 - y[:n, a])) for a in range(k)], 1)
                targets, how = [f"flip {name}" for name in names], "E_y(x) with one attribute flipped"
            rows = torch.cat([x[:n, None], swaps], 1).flatten(0, 1)  # original, then one column per target
            save_grid(Grid(rows, k + 1, ["test image", *targets]), folder / "edits.png",
                      f"IcGAN edits: each test image (row) regenerated from {how}")
            steps = self.interpolation_steps
            m = len(x) - n  # pairs (i, n + i) to interpolate between
            path = generator(interpolate(z[:m], z[n:], steps), interpolate(y_hat[:m], y_hat[n:], steps))
            save_grid(Grid(path, steps, [f"t = {t:.2f}" for t in torch.linspace(0, 1, steps).tolist()]),
                      folder / "interpolation.png",
                      "IcGAN interpolation between the codes (z, y) of two test images, one pair per row")

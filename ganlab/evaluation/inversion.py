"""Evaluation of an inversion recipe on the paired test set (UDA-inversion's Tables I-II):

- inversion, per domain (src: the HQ image is inverted; trg: its LQ version is), always
  scored against the clean image: PSNR, SSIM, MSE, LPIPS, FID, images per second; for the
  trained encoder, and (on fewer images) for `optimization` and `hybrid` inversion;
- editing after inversion: InterFaceGAN and GANSpace directions (fitted on generator
  samples scored by the attribute classifier) applied to the inverted codes: FID and ID
  similarity of the edited images per attribute, and edit success (classifier verdict);
- on data that renders its images from factors (synthfaces), the same edits judged against
  the true counterfactual (ganlab.evaluation.inversion_counterfactual): test/cf_*, the
  wrong-sign control test/wrong_cf_* and oracle edits that know the answer test/cf_oracle_*;
- a collapse diagnostic per inverter and domain (ganlab.metrics.code_spread): the spread of
  the inverted W+ codes relative to the generator's sampled codes (test/code_spread_ratio_*,
  per layer too), their distance to the mean code, and for HFGI the PSNR of the base code
  alone, without the fusion (test/psnr_base_*); a warning names a run whose spread ratio is
  under 0.1;
- tables.md (printed at the end of the run) and CSVs in the run folder, grids in
  samples/eval/ (inversion.png: HQ | LQ | inv(HQ) | inv(LQ) | optimization(LQ);
  edits.png: HQ | LQ | inv(LQ) | one edit per editor and attribute).

Metric names: test/<metric>_<domain> for the trained encoder, and
test/<metric>_<domain>_<row> for the other rows (hidden from the printed headline)."""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from torch import nn

from ganlab.data.domains import DomainDataModule
from ganlab.data.resize import resize
from ganlab.evaluation.inversion_counterfactual import CounterfactualEdits, renders_counterfactuals
from ganlab.evaluation.inversion_editing import EditScores
from ganlab.evaluation.inversion_per_degradation import scores_per_degradation
from ganlab.evaluation.inversion_per_degradation import write_table as write_degradation_table
from ganlab.evaluation.inversion_tables import write_tables
from ganlab.evaluation.protocol import Evaluation
from ganlab.metrics.code_spread import code_spread, collapse_warning, sampled_codes
from ganlab.metrics.fid import FrechetDistance
from ganlab.metrics.reconstruction import ReconstructionScores
from ganlab.metrics.throughput import stopwatch
from ganlab.nets.inverters.hybrid import HybridInverter
from ganlab.nets.mode import evaluating
from ganlab.reports.grid import Grid, save_grid

log = logging.getLogger("ganlab")

DOMAINS = ("src", "trg")


class InversionEvaluation(Evaluation):
    stage_parameters = ("encoder_stage",)

    def __init__(self, classifier: nn.Module, classifier_labels: list[str], perceptual: nn.Module,
                 fid: FrechetDistance, fid_size: int | None = None, identity: nn.Module | None = None,
                 attributes: list[str] = ("Young", "Smiling", "Male"), method_name: str = "UDA-inversion",
                 encoder_stage: str = "encoder", optimization=None, hybrid_refiner=None,
                 num_images: int = 256, optimization_images: int = 16, direction_samples: int = 2000,
                 edit_strength: float = 2.0, judge_size: int = 32, batch_size: int = 64, grid_images: int = 8,
                 max_batches: int | None = None, editors: dict | None = None, edit_layers: dict | None = None):
        """fid: the FID protocol (its feature net; the clean images' statistics are computed once
        and cached), images resized to fid_size first (null: as they are).
        optimization / hybrid_refiner: partial OptimizationInverter configs (null: skip the row).
        max_batches (debug): a handful of images, directions from 64 samples, 2 optimisation steps.
        editors: {name: Editor} scored beside the InterFaceGAN and GANSpace directions fitted on
        the generator's samples (each must have the attributes among its tasks).
        edit_layers: {attribute: [W+ layer, ...]} the fitted directions move for it (default: all)."""
        unknown = [a for a in attributes if a not in classifier_labels]
        if unknown:
            raise ValueError(f"method.evaluate.attributes {unknown} are not among the classifier's labels "
                             f"{list(classifier_labels)} (method.evaluate.classifier_labels)")
        self.classifier, self.identity, self.perceptual = classifier, identity, perceptual
        self.fid, self.fid_size = fid, fid_size
        self.columns = {a: list(classifier_labels).index(a) for a in attributes}
        self.method_name, self.encoder_stage = method_name, encoder_stage
        self.optimization, self.hybrid_refiner = optimization, hybrid_refiner
        self.num_images, self.optimization_images = num_images, optimization_images
        self.direction_samples, self.edit_strength = direction_samples, edit_strength
        self.judge_size, self.batch_size, self.grid_images = judge_size, batch_size, grid_images
        self.editors, self.edit_layers = dict(editors or {}), dict(edit_layers or {})
        not_edited = sorted(set(self.edit_layers) - set(attributes))
        if not_edited:
            raise ValueError(f"method.evaluate.edit_layers names {not_edited}, which are not among the edited "
                             f"attributes {list(attributes)} (method.evaluate.attributes)")
        self.debug_steps = None
        if max_batches is not None:
            self.num_images = min(num_images, 8 * max_batches)
            self.optimization_images = min(optimization_images, 2)
            self.direction_samples = min(direction_samples, 64)
            self.debug_steps = 2

    def _extra(self, make, generator: nn.Module, image_size: int) -> nn.Module:
        debug = {} if self.debug_steps is None else {"steps": self.debug_steps}
        return make(generator=generator, image_size=image_size, **debug)

    def __call__(self, stages: dict, datamodule: DomainDataModule, out_dir: Path) -> dict[str, float]:
        if not isinstance(datamodule, DomainDataModule):
            raise TypeError("the inversion evaluation needs paired (HQ, LQ) test data: set domains=hq_lq")
        self.degradation = type(datamodule.degradation).__name__  # named in the grid's title
        module = stages[self.encoder_stage]
        device, generator = module.device, module.generator
        for net in (self.classifier, self.identity, self.perceptual):
            if net is not None:
                net.to(device).eval()
        batches = [batch._replace(**{k: v.to(device) for k, v in batch._asdict().items()})
                   for batch in datamodule.pairs("test", self.num_images, self.batch_size)]
        clean = torch.cat([b.source for b in batches])
        if len(clean) < 2:
            raise ValueError(f"the inversion evaluation needs >= 2 test images (FID), the test split has {len(clean)}")
        rows = {"": module.inverter}
        if self.optimization is not None:
            rows["optimization"] = self._extra(self.optimization, generator, module.inverter.image_size)
        if self.hybrid_refiner is not None:
            refiner = self._extra(self.hybrid_refiner, generator, module.inverter.image_size)
            rows["hybrid"] = HybridInverter(generator, module.inverter, refiner, module.inverter.image_size)
        for inverter in rows.values():
            inverter.to(device).eval()
        edits = EditScores(generator, self.classifier, self.identity, self.columns, self.judge_size,
                           self.direction_samples, self.edit_strength, self.editors, control_samples=self.num_images,
                           edit_layers=self.edit_layers)
        counterfactual = None
        if renders_counterfactuals(datamodule):
            attributes, identity = datamodule.images.factors("test")
            counterfactual = CounterfactualEdits(generator, edits.editors, list(self.columns), self.edit_strength,
                                                 attributes[: len(clean)], identity[: len(clean)],
                                                 datamodule.images.render,
                                                 lambda images, index: datamodule.degrade_as(images, "test", index))
        else:
            log.info("inversion evaluation: the data cannot render counterfactuals; no test/cf_* metrics")
        self.sampled = sampled_codes(generator)
        metrics, grids = {}, {}
        with evaluating(generator):
            for row, inverter in rows.items():
                count = len(clean) if row == "" else min(self.optimization_images, len(clean))
                for domain in DOMAINS:
                    scores, images = self._score(inverter, generator, batches, domain, count, clean,
                                                 edits if row == "" else None,
                                                 counterfactual if row == "" else None)
                    suffix = f"_{domain}" + (f"_{row}" if row else "")
                    metrics.update({f"test/{k}{suffix}": v for k, v in scores.items()})
                    grids[(row, domain)] = images
        if "optimization" in rows:
            metrics["test/speedup_vs_optimization"] = (metrics["test/images_per_s_src"] /
                                                       metrics["test/images_per_s_src_optimization"])
        metrics.update(edits.summary(clean, self._fid))
        if counterfactual is not None:
            metrics.update(counterfactual.summary())
        warning = collapse_warning(f"{self.method_name} ({out_dir})",
                                   {f"{domain} domain": metrics[f"test/code_spread_ratio_{domain}"]
                                    for domain in DOMAINS})
        if warning:
            log.warning(warning)
        per_kind = scores_per_degradation(module.inverter, generator, datamodule.degradation, clean,
                                          self.perceptual, self.batch_size)
        metrics.update({f"test/{k}_trg_{name}": v for name, scores in per_kind.items() for k, v in scores.items()})
        write_degradation_table(per_kind, out_dir)
        self._save_grids(batches[0], grids, edits, Path(out_dir) / "samples" / "eval")
        write_tables(metrics, self.method_name, list(rows), list(self.columns), out_dir)
        return metrics

    def _fid(self, real: torch.Tensor, fake: torch.Tensor) -> float:
        if self.fid_size is not None:
            real, fake = resize(real, self.fid_size), resize(fake, self.fid_size)
        return self.fid(fake.clamp(-1, 1).cpu(), real_images=real.cpu()).fid

    def _score(self, inverter, generator, batches, domain, count, clean, edits, counterfactual=None):
        """Metrics of one inverter on one domain over the first `count` test images, and the
        first grid images' reconstructions."""
        recon, base = ReconstructionScores().to(clean.device), ReconstructionScores().to(clean.device)
        seconds, outputs, lpips, codes, seen, fused = [], [], [], [], 0, False
        for batch in batches:
            take = min(len(batch.source), count - seen)
            if take <= 0:
                break
            x = (batch.source if domain == "src" else batch.target)[:take]
            target = batch.source[:take]
            with evaluating(inverter), stopwatch(x.device, seconds):
                inversion = inverter(x, generator)
            with torch.no_grad():
                recon.update(inversion.image, target)
                lpips.append(self.perceptual(inversion.image, target))
                if inversion.base_image is not None:
                    fused = True
                    base.update(inversion.base_image, target)
                if edits is not None:
                    edits.update(domain, inversion, target)
                if counterfactual is not None:
                    counterfactual.update(domain, inversion, seen, inverter)
            outputs.append(inversion.image.detach())
            codes.append(inversion.wplus.detach())
            seen += take
        images = torch.cat(outputs)
        scores = {k: float(v) for k, v in recon.compute().items()}
        scores["lpips"] = float(torch.cat(lpips).mean())
        scores["fid"] = self._fid(clean, images)
        scores["images_per_s"] = seen / sum(seconds)
        if fused:
            scores["psnr_base"] = float(base.compute()["psnr"])
        spread = code_spread(torch.cat(codes), self.sampled, generator.w_avg)
        scores.update({f"code_{k}": v for k, v in spread.items()})
        return scores, images[: self.grid_images]

    def _save_grids(self, batch, grids: dict, edits, folder: Path) -> None:
        n = min(self.grid_images, len(batch.source))
        method = self.method_name
        columns = [batch.source[:n], batch.target[:n], grids[("", "src")][:n], grids[("", "trg")][:n]]
        names = ["HQ input (src)", "LQ input (trg)", f"{method} of HQ", f"{method} of LQ"]
        if ("optimization", "trg") in grids and len(grids[("optimization", "trg")]) >= n:
            columns.append(grids[("optimization", "trg")][:n])
            names.append("optimization of LQ")
        save_grid(Grid(torch.stack(columns, 1).flatten(0, 1), len(columns), names), folder / "inversion.png",
                  f"Inversion of test images: each column's method applied to the clean (HQ) or degraded (LQ, "
                  f"{self.degradation}) input; scores in tables.md")
        edited = edits.grid_images(n)
        rows = torch.stack([batch.source[:n], batch.target[:n], grids[("", "trg")][:n], *edited], 1)
        names = ["HQ input", "LQ input", f"{method} of LQ", *(f"{editor}: {a} +{self.edit_strength:g}"
                                                             for editor in edits.editors for a in self.columns)]
        save_grid(Grid(rows.flatten(0, 1), rows.shape[1], names), folder / "edits.png",
                  f"Edits after inverting the degraded (LQ) input with {method}: one column per editor and attribute")

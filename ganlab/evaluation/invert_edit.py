"""Any inverter x any editor x any generator, on clean or degraded real images
(+experiment=invert_edit; the parts: ganlab.evaluation.invert_edit_parts).

The first `num_images` test images (degraded by `degradation` when one is set) are inverted
and every edit of the editor is applied at `strength` (1 = what the editor was trained
for), toward the opposite of what the classifier sees in the clean image. Scores of the cell:

- success: the classifier sees the target in the edited image;
- preservation: the share of the other attributes whose verdict is the clean image's;
- id: the invariant identity judge's similarity of the edited image to the clean image;
- fid: the edited images against real test images with the target (for each edit, a real
  image whose verdict is the edit's goal);
- on data that renders its images from factors (synthfaces), the true counterfactual
  (ganlab.metrics.counterfactual, the edit's sign from the true attribute): cf_*;
- with a degradation, the same pipeline on the clean image too: <score>_clean, the cost
  <score>_drop = clean - degraded, and the edit of the degraded input against the edit of
  the clean one (id_to_clean_edit, agree_clean_edit: same verdict on the edited attribute).

Metrics test/<score> (means over edits) and test/<score>_<edit>; cells.csv / cells.md hold
one row per edit."""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

import torch
from torch import nn

from ganlab.data.degradations.none import NoDegradation
from ganlab.data.resize import resize
from ganlab.data.synthfaces import ATTRIBUTES, counterfactual_attributes
from ganlab.editing.edit_sign import edit_sign
from ganlab.evaluation.inversion_counterfactual import renders_counterfactuals
from ganlab.evaluation.invert_edit_parts import WPlusEditor, load_editor, load_inverter
from ganlab.evaluation.protocol import Evaluation
from ganlab.metrics.counterfactual import CounterfactualTally
from ganlab.metrics.fid import FrechetDistance
from ganlab.metrics.tables import write_records
from ganlab.nets.mode import evaluating
from ganlab.reports.grid import Grid, save_grid

log = logging.getLogger("ganlab")

SCORES = ("success", "preservation", "id")


class InvertEditEvaluation(Evaluation):
    stage_parameters = ()  # every part comes from the zoo: the recipe trains nothing itself

    def __init__(self, generator: nn.Module, classifier: nn.Module, classifier_labels: list[str],
                 identity: nn.Module, fid: FrechetDistance, inverter_target: str, editor_target: str,
                 trained: dict[str, str], optimization, degradation: nn.Module | None = None,
                 zoo_load=None, inverter_zoo: str | None = None, generator_name: str | None = None,
                 zoo_overrides: list[str] = (), editor_overrides: list[str] = (), strength: float = 1.0,
                 num_images: int = 128, reference_images: int = 1000, batch_size: int = 64, judge_size: int = 32,
                 fid_size: int = 32, grid_images: int = 8, seed: int = 0, max_batches: int | None = None):
        """inverter_target / editor_target: the `_target_` of the chosen inverter= / editor=
        config; trained: {target: zoo name}; zoo_load: ganlab.zoo.load as a partial (needed for
        every part but optimization); optimization: a partial OptimizationInverter;
        editor_overrides: zoo overrides for the editor alone (e.g. the edits it is trained for);
        max_batches (debug): a few images, 2 optimisation steps."""
        self.generator, self.classifier, self.identity, self.fid = generator, classifier, identity, fid
        self.labels = list(classifier_labels)
        self.inverter_target, self.editor_target, self.inverter_zoo = inverter_target, editor_target, inverter_zoo
        self.trained, self.optimization = dict(trained), optimization
        self.degradation = None if isinstance(degradation, NoDegradation) else degradation
        self.generator_name, self.zoo_load, self.zoo_overrides = generator_name, zoo_load, list(zoo_overrides)
        self.editor_overrides = list(editor_overrides)
        self.strength, self.num_images, self.reference_images = strength, num_images, reference_images
        self.batch_size, self.judge_size, self.fid_size = batch_size, judge_size, fid_size
        self.grid_images, self.seed = grid_images, seed
        if max_batches is not None:
            self.num_images = min(num_images, 8 * max_batches)
            self.optimization = _steps(optimization, 2)

    def judge(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(resize(images, self.judge_size)) > 0

    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        generator = self.generator.eval().requires_grad_(False)
        images = getattr(datamodule, "images", datamodule)  # the latent set's real images, or image data
        size = images.image_size
        inverter, inverter_name = load_inverter(self.inverter_target, self.inverter_zoo, self.trained,
                                                self.optimization, generator, size, self.generator_name,
                                                self.zoo_load, self.zoo_overrides)
        editor, editor_name = load_editor(self.editor_target, self.trained, self.generator_name, self.zoo_load,
                                          self.zoo_overrides + self.editor_overrides)
        for net in (inverter, self.classifier, self.identity, editor):
            if isinstance(net, nn.Module):
                net.eval()
        editor = WPlusEditor(editor, generator.style_dim)
        edits = [t for t in editor.tasks if t in self.labels]
        missing = [t for t in editor.tasks if t not in self.labels]
        if missing:
            raise ValueError(f"editor {editor_name}: edits {missing} are not among the classifier's labels "
                             f"{self.labels} (method.evaluate.classifier_labels)")
        test = images.split("test")
        n = min(self.num_images, len(test))
        factors = images.factors("test") if renders_counterfactuals(images) else None
        if factors is None:
            log.info("invert_edit: the data cannot render counterfactuals; no test/cf_* metrics")
        parts = defaultdict(list)
        tally = CounterfactualTally()
        noise = torch.Generator().manual_seed(self.seed)
        with evaluating(generator), torch.no_grad():
            for start in range(0, n, self.batch_size):
                clean = test.images[start:min(start + self.batch_size, n)]
                inputs = {"": clean if self.degradation is None else self.degradation(clean, noise)}
                if self.degradation is not None:
                    inputs["clean"] = clean
                self._batch(inverter, generator, editor, edits, clean, inputs, parts, tally,
                            None if factors is None else (factors[0][start:], factors[1][start:]),
                            images)
        reference = test[torch.arange(min(self.reference_images, len(test)))]
        metrics = self._summary(parts, tally, edits, reference, list(images.label_spec.names))
        self._write(metrics, edits, inverter_name, editor_name, out_dir)
        self._grid(parts, edits, inputs, out_dir)
        return metrics

    def _batch(self, inverter, generator, editor, edits, clean, inputs, parts, tally, factors, datamodule):
        verdict = self.judge(clean)
        inversions = {domain: inverter(x, generator) for domain, x in inputs.items()}
        for name in edits:
            col, task = self.labels.index(name), editor.tasks.index(name)
            present = verdict[:, col]
            others = torch.ones(len(self.labels), dtype=torch.bool)
            others[col] = False
            edited = {}
            for domain, inversion in inversions.items():
                images = inversion.render(generator, editor.edit(inversion.wplus, task, edit_sign(present) *
                                                                 self.strength))
                seen = self.judge(images)
                key = (name, domain)
                parts[("success",) + key].append((seen[:, col] != present).float())
                parts[("preservation",) + key].append((seen[:, others] == verdict[:, others]).float().mean(1))
                parts[("id",) + key].append(self.identity.similarity(clean, images))
                parts[("images",) + key].append(images)
                parts[("goal",) + key].append(~present)
                edited[domain] = (images, seen[:, col])
            if "clean" in edited:
                parts[("id_to_clean_edit", name, "")].append(self.identity.similarity(edited["clean"][0],
                                                                                       edited[""][0]))
                parts[("agree_clean_edit", name, "")].append((edited["clean"][1] == edited[""][1]).float())
            if factors is not None and name in ATTRIBUTES:
                attrs, ident = factors[0][: len(clean)], factors[1][: len(clean)]
                k = ATTRIBUTES.index(name)
                truth = datamodule.render(counterfactual_attributes(attrs, name, 1 - attrs[:, k]), ident)
                for domain, inversion in inversions.items():
                    steps = edit_sign(attrs[:, k]) * self.strength
                    images = inversion.render(generator, editor.edit(inversion.wplus, task, steps))
                    tally.update((name, domain), images, inversion.image, truth)

    def _summary(self, parts, tally, edits, reference, reference_names: list[str]) -> dict[str, float]:
        """reference: (real test images, their true labels, named reference_names)."""
        domains = sorted({k[2] for k in parts if k[0] == "images"})
        out: dict[str, float] = {}
        for domain in domains:
            suffix = f"_{domain}" if domain else ""
            for name in edits:
                for score in SCORES:
                    out[f"test/{score}_{name}{suffix}"] = float(torch.cat(parts[(score, name, domain)]).mean())
            out[f"test/fid{suffix}"] = self._fid(parts, edits, domain, reference, reference_names)
        for name in edits:
            for score in ("id_to_clean_edit", "agree_clean_edit"):
                if (score, name, "") in parts:
                    out[f"test/{score}_{name}"] = float(torch.cat(parts[(score, name, "")]).mean())
        for (name, domain), scores in tally.summary().items():
            suffix = f"_{domain}" if domain else ""
            out.update({f"test/cf_{metric}_{name}{suffix}": v for metric, v in scores.items()})
        means = defaultdict(list)
        for key, value in out.items():
            for name in edits:
                if f"_{name}" in key:
                    means[key.replace(f"_{name}", "", 1)].append(value)
        out.update({key: sum(values) / len(values) for key, values in means.items()})
        for score in (*SCORES, "fid", "cf_moved_toward"):
            if f"test/{score}_clean" in out:
                out[f"test/{score}_drop"] = out[f"test/{score}_clean"] - out[f"test/{score}"]
        out["test/edited_images"] = float(sum(len(torch.cat(parts[("images", name, "")])) for name in edits))
        return out

    def _fid(self, parts, edits, domain, reference, reference_names) -> float:
        """Edited images against real images with each edit's goal: one real image per edit,
        drawn among the reference images whose true label of the attribute is the goal."""
        (reference, labels), fake, real = reference, [], []
        g = torch.Generator().manual_seed(self.seed)
        for name in edits:
            if name not in reference_names:
                raise ValueError(f"invert_edit FID: the test images have no label {name!r} ({reference_names})")
            truth = labels[:, reference_names.index(name)] > 0.5
            goal = torch.cat(parts[("goal", name, domain)])
            pools = {value: torch.nonzero(truth == value).flatten() for value in (False, True)}
            empty = [v for v, pool in pools.items() if len(pool) == 0 and bool((goal == v).any())]
            if empty:
                raise ValueError(f"invert_edit FID: no reference image with {name}={empty[0]} among the first "
                                 f"{len(reference)} test images (method.evaluate.reference_images)")
            pick = torch.empty(len(goal), dtype=torch.long)
            for value, pool in pools.items():
                mask = goal == value
                if mask.any():
                    pick[mask] = pool[torch.randint(len(pool), (int(mask.sum()),), generator=g)]
            fake.append(torch.cat(parts[("images", name, domain)]))
            real.append(reference[pick])
        fake, real = resize(torch.cat(fake), self.fid_size), resize(torch.cat(real), self.fid_size)
        return self.fid(fake.clamp(-1, 1).cpu(), real_images=real.cpu()).fid

    def _write(self, metrics, edits, inverter_name, editor_name, out_dir) -> None:
        rows = []
        for name in edits:
            row = {"inverter": inverter_name, "editor": editor_name, "edit": name}
            row.update({k[len("test/"):].replace(f"_{name}", ""): v for k, v in metrics.items() if f"_{name}" in k})
            rows.append(row)
        degraded = "none" if self.degradation is None else type(self.degradation).__name__
        write_records(rows, out_dir, "cells", f"{inverter_name} x {editor_name}, input degradation: {degraded}; "
                                              f"strength {self.strength:g}")

    def _grid(self, parts, edits, inputs, out_dir) -> None:
        n = min(self.grid_images, len(inputs[""]))
        columns = [inputs.get("clean", inputs[""])[-n:], inputs[""][-n:],
                   *(parts[("images", name, "")][-1][-n:] for name in edits)]
        if len(columns[0]) < n or any(len(c) < n for c in columns):
            return
        grid = torch.stack(columns, 1).flatten(0, 1)
        save_grid(Grid(grid, len(columns), ["clean", "input", *edits]), Path(out_dir) / "samples" / "eval" /
                  "edits.png", "Edits of the inverted input, one column per edit (toward the opposite of the clean "
                                "image's verdict)")


def _steps(optimization, steps: int):
    """A partial OptimizationInverter with `steps` steps (debug runs)."""
    return lambda **kwargs: optimization(**{**kwargs, "steps": steps})

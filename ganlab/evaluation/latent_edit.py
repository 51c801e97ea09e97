"""Evaluation of latent editors, the LT / LW protocol on held-out codes.

For every edit task, the test codes of the source side (P-) are edited by every editor of
the run (each trained stage, plus the training-free baselines fitted here) at
`num_alphas` strengths alpha_max / n, ..., alpha_max, and judged on the rendered images
(ganlab.evaluation.edit_scores). alpha_max is chosen per editor so that the target change is
comparable across editors: the reference editor (default: the first stage) keeps
alpha_max = 1, its natural strength, and every other editor gets the alpha at which its
target change on validation codes reaches the reference's (bisection; capped at
`max_alpha`). Scores at alpha = 1 (each editor's natural edit) are kept too, and, with a
latent classifier, at the LW paper's Table 2 operating point: per editor and edit, the
smallest alpha at which the latent classifier's target change on the test codes reaches
`operating_latent_change` (1.0: "a target change of 100% according to the latent
classifier"; bisected on the latent classifier alone, nothing rendered), where the image
classifier's target change is then read.
Codes that invert real images able to render their own counterfactual (`data.source=invert`
on synthfaces) are also scored against it at alpha_max (ganlab.evaluation.code_counterfactuals):
test/<editor>/cf_{moved_toward,distance,psnr,start_distance}_<task>.

Writes into the run folder: edit_table.md / edit_table.csv (mean over alpha, the paper's
layout), curves/<task>.png (preservation and identity against target change),
samples/eval/<task>.png (edit strips), classifiers.md (image classifier held-out accuracy
and AUC, latent classifier's), latent_codes.md (split sizes, counts per attribute
combination) and attribute_correlations.csv (rho_ij)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from ganlab.data.latents import classify
from ganlab.data.tasks import EditTask
from ganlab.editing.editor import Editor, task_index
from ganlab.evaluation.alpha_search import first_alpha_reaching
from ganlab.evaluation.code_counterfactuals import code_counterfactuals
from ganlab.evaluation.edit_report import editor_key, metric_key, write_curves, write_data_reports, write_edit_tables
from ganlab.evaluation.edit_scores import EditJudge, Observation
from ganlab.evaluation.protocol import Evaluation
from ganlab.methods.editors.direction_editors import DirectionEditor
from ganlab.metrics.classifier_scores import classifier_scores
from ganlab.metrics.counterfactual import counterfactual_scores, summarise
from ganlab.reports.grid import Grid, save_grid

log = logging.getLogger("ganlab")


class LatentEditEvaluation(Evaluation):
    stage_parameters = ("latent_classifier_stage",)

    def __init__(self, latent_classifier_stage: str | None = "latent_classifier", identity: nn.Module | None = None,
                 baselines: dict[str, Editor] | None = None, realism: Callable | None = None,
                 num_alphas: int = 10, reference: str | None = None, max_alpha: float = 8.0,
                 calibration_codes: int = 256, calibration_steps: int = 8,
                 eval_codes: int | None = 1000, fid_codes: int = 1000, grid_codes: int = 6, grid_alphas: int = 5,
                 render_batch_size: int = 256, device: str = "auto", max_batches: int | None = None,
                 operating_latent_change: float | None = 1.0, operating_scan: int = 32, operating_steps: int = 12):
        """latent_classifier_stage: the stage of the latent classifier C(w) (null: none; its scores are
        skipped). The editors are every stage whose module is an Editor.
        reference: the name of the editor others are calibrated to (null: the first stage).
        identity: a net with `.similarity(a, b)` (null: no identity score, e.g. digits).
        baselines: more editors (ganlab.editing.editor.Editor) beside the recipe's editor stages:
        training-free ones (InterFaceGAN, GANSpace) are fitted on the training codes here, any
        other (e.g. a zoo editor) is used as it is.
        realism: a ganlab.metrics.fid.FrechetDistance: FID of the edited images (at the largest
        alpha) against real images that have the target (null: no FID).
        operating_latent_change: the latent classifier's target change that sets the Table 2
        operating point (null: none), searched on operating_scan even steps up to max_alpha (an
        edit pushed past its target can leave it again: the change need not rise with alpha), then
        operating_steps bisection steps.
        max_batches: debug limit (debug=fdr): every code set is cut to max_batches * 8 codes
        and the alpha bisections to 2 steps."""
        if num_alphas < 1:
            raise ValueError(f"num_alphas must be >= 1, got {num_alphas}")
        if operating_latent_change is not None and not 0 < operating_latent_change <= 1:
            raise ValueError(f"method.evaluate.operating_latent_change must be in (0, 1] or null, "
                             f"got {operating_latent_change}")
        if operating_scan < 1:
            raise ValueError(f"method.evaluate.operating_scan must be >= 1, got {operating_scan}")
        self.operating_latent_change = operating_latent_change
        self.latent_classifier_stage = latent_classifier_stage
        self.identity, self.baselines, self.realism = identity, dict(baselines or {}), realism
        self.num_alphas, self.reference, self.max_alpha = num_alphas, reference, max_alpha
        self.grid_alphas, self.render_batch_size, self.device_name = grid_alphas, render_batch_size, device
        self.cap = cap = max_batches * 8 if max_batches is not None else None
        self.eval_codes = min(x for x in (eval_codes, cap) if x is not None) if (eval_codes or cap) else None
        self.calibration_codes = min(calibration_codes, cap) if cap else calibration_codes
        self.calibration_steps = min(calibration_steps, 2) if cap else calibration_steps
        self.operating_scan, self.operating_steps = operating_scan, min(operating_steps, 2) if cap else operating_steps
        self.fid_codes = min(fid_codes, cap) if cap else fid_codes
        self.grid_codes = min(grid_codes, cap) if cap else grid_codes

    # ------------------------------------------------------------------ entry point
    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        out_dir = Path(out_dir)
        device = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if self.device_name == "auto"
                              else self.device_name)
        latent_classifier = stages[self.latent_classifier_stage] if self.latent_classifier_stage else None
        editors = self._editors(stages, datamodule, device)
        for part in (datamodule.generator, datamodule.classifier, self.identity, latent_classifier):
            if part is not None:
                part.eval().to(device)
        judge = EditJudge(datamodule.generator, datamodule.classifier, datamodule.label_spec.kind,
                          datamodule.image_size, latent_classifier, self.identity, self.render_batch_size)
        metrics = self._classifier_reports(datamodule, latent_classifier, out_dir)
        results, reference = {}, {}
        for task in datamodule.tasks:
            reference[task.name], results[task.name] = self._evaluate_task(task, editors, datamodule, judge, out_dir)
        labels = {key: editor.name for key, editor in editors.items()}
        metrics.update(self._summarise(results, reference))
        write_edit_tables(results, reference, labels, datamodule.label_spec.kind, out_dir)
        write_curves(results, labels, out_dir / "curves")
        return metrics

    def _editors(self, stages: dict, datamodule, device) -> dict[str, Editor]:
        """Every editor stage, then the baselines, keyed by their names (`LW w/o dis.` ->
        `lw_w_o_dis`), which name their metrics and table rows."""
        found = [m for m in stages.values() if isinstance(m, Editor)]
        for label, baseline in self.baselines.items():
            if not isinstance(baseline, Editor):
                raise TypeError(f"method.evaluate.baselines.{label}: {type(baseline).__name__} is not an editor "
                                f"(needs .tasks and .edit(codes, task, strength))")
            if isinstance(baseline, DirectionEditor):
                log.info("fitting baseline %s on the training codes", baseline.name)
                baseline.fit_directions(datamodule)
            found.append(baseline)
        editors = {}
        for editor in found:
            name = getattr(editor, "name", type(editor).__name__)
            key = editor_key(name)
            if key in editors:
                raise ValueError(f"two editors are named {name!r}; give each a distinct `name`")
            editors[key] = editor.eval().to(device) if isinstance(editor, nn.Module) else editor
        if not editors:
            raise ValueError("no latent editor among the stages and no baselines to evaluate")
        return editors

    # ------------------------------------------------------------------ one task
    def _codes(self, datamodule, split: str, task: EditTask, limit: int | None) -> tuple[torch.Tensor, torch.Tensor]:
        """(the split's rows of the task's source codes, those codes)."""
        data = datamodule.split(split)
        rows = task.sources(data.labels).nonzero().squeeze(1)
        rows = rows[:limit] if limit else rows
        return rows, data.codes[rows]

    def _evaluate_task(self, task: EditTask, editors: dict, datamodule, judge: EditJudge, out_dir: Path):
        rows, codes = self._codes(datamodule, "test", task, self.eval_codes)
        test = judge.observe(codes)
        truth = code_counterfactuals(datamodule, task, rows)
        calib = judge.observe(self._codes(datamodule, "val", task, self.calibration_codes)[1])
        taking = {key: e for key, e in editors.items() if task.name in e.tasks}
        ref_key = editor_key(self.reference) if self.reference else next(iter(taking))
        if ref_key not in taking:
            raise ValueError(f"reference editor {ref_key!r} is not among {sorted(taking)}")
        tau = self._change(judge, taking[ref_key], task, calib, 1.0)
        if tau < 0.05:
            log.warning("%s: the reference editor %s changes the target of only %.0f%% of codes at alpha=1; "
                        "every editor keeps alpha_max=1", task.name, ref_key, 100 * tau)
        real = self._real_targets(datamodule, task) if self.realism is not None else None
        grid_rows, row_labels, per_editor = [], [], {}
        for key, editor in taking.items():
            k = task_index(editor, task.name)
            alpha_max = 1.0 if key == ref_key or tau < 0.05 else self._calibrate(judge, editor, task, calib, tau)
            alphas = [alpha_max * (i + 1) / self.num_alphas for i in range(self.num_alphas)]
            operating = self._operating_alpha(judge, editor, task, test.codes)
            extra = [1.0] if operating is None else [1.0, operating]
            swept = self._sweep(judge, editor, k, test, [*alphas, *extra])
            swept, natural, at_op = swept[: len(alphas)], swept[len(alphas)], swept[len(alphas) + 1:]
            entry = {"alphas": alphas, "points": [judge.score(task, test, e) for e in swept],
                     "alpha_max": alpha_max, "natural": judge.score(task, test, natural)}
            if at_op:
                entry["operating"] = judge.score(task, test, at_op[0]) | {"alpha": operating}
            if truth is not None:  # at alpha_max, where every editor's target change matches the reference's
                entry["counterfactual"] = summarise(counterfactual_scores(swept[-1].images, test.images, truth))
            picks = [round(i * (len(alphas) - 1) / max(1, self.grid_alphas - 1)) for i in range(self.grid_alphas)]
            if real is not None:  # FID at the grid's strengths, alpha_max last: realism against strength
                entry["fid_curve"] = {i: self.realism(swept[i].images[: self.fid_codes], real_images=real).fid
                                      for i in sorted(set(picks) | {len(alphas) - 1})}
                entry["fid"] = entry["fid_curve"][len(alphas) - 1]
            per_editor[key] = entry
            n = min(self.grid_codes, len(test.codes))
            grid_rows.append(torch.stack([test.images[:n], *[swept[i].images[:n] for i in picks]], 1).flatten(0, 1))
            row_labels += [f"{editor.name} (alpha_max {alpha_max:.3g})"] * n
        # each editor's alpha_max is its own (calibrated to the reference's change), so the headers
        # name fractions of it
        columns = ["before", *(f"alpha = {(i + 1) / self.num_alphas:.2g} alpha_max" for i in picks)]
        save_grid(Grid(torch.cat(grid_rows), 1 + self.grid_alphas, columns, row_labels),
                  out_dir / "samples" / "eval" / f"{metric_key(task.name)}.png",
                  f"Edit {task.name}: test codes (rows, by editor) before and at increasing edit strength")
        return tau, per_editor

    def _sweep(self, judge: EditJudge, editor: Editor, k: int, before: Observation,
               alphas: list[float]) -> list[Observation]:
        """The codes edited at every alpha, rendered and judged in one batched pass."""
        device = next(iter(editor.buffers())).device
        with torch.no_grad():
            edited = [torch.cat([editor.edit(before.codes[i : i + 1024].to(device), k, a).cpu()
                                 for i in range(0, len(before.codes), 1024)]) for a in alphas]
        seen = judge.observe(torch.cat(edited))
        n = len(before.codes)
        return [Observation(seen.codes[i * n : (i + 1) * n], seen.images[i * n : (i + 1) * n],
                            seen.predictions[i * n : (i + 1) * n]) for i in range(len(alphas))]

    def _change(self, judge: EditJudge, editor: Editor, task: EditTask, calib: Observation, alpha: float):
        return judge.target_change(task, self._sweep(judge, editor, task_index(editor, task.name), calib, [alpha])[0])

    def _calibrate(self, judge: EditJudge, editor: Editor, task: EditTask, calib: Observation,
                   tau: float) -> float:
        """The smallest alpha (up to bisection) whose target change reaches tau."""
        lo, hi = 0.0, 1.0
        while self._change(judge, editor, task, calib, hi) < tau:
            if hi >= self.max_alpha:
                log.warning("%s / %s: target change stays below %.2f up to alpha=%g", task.name, editor.name, tau, hi)
                return hi
            lo, hi = hi, min(2 * hi, self.max_alpha)
        for _ in range(self.calibration_steps):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if self._change(judge, editor, task, calib, mid) >= tau else (mid, hi)
        return hi

    def _operating_alpha(self, judge: EditJudge, editor: Editor, task: EditTask, codes: torch.Tensor) -> float | None:
        """The smallest alpha (at most max_alpha) at which the latent classifier's target change
        on `codes` reaches operating_latent_change, or where it peaks if it never does."""
        if self.operating_latent_change is None or judge.latent_classifier is None:
            return None
        k = task_index(editor, task.name)
        device = next(iter(editor.buffers())).device

        def change(alpha: float) -> float:
            with torch.no_grad():
                edited = torch.cat([editor.edit(codes[i : i + 1024].to(device), k, alpha)
                                    for i in range(0, len(codes), 1024)])
            return judge.latent_target_change(task, edited)

        alpha, reached = first_alpha_reaching(change, self.operating_latent_change, self.max_alpha,
                                              self.operating_scan, self.operating_steps)
        if reached < self.operating_latent_change:
            log.warning("%s / %s: latent target change stays below %.2f up to alpha=%g; its operating point "
                        "is where it peaks, %.3f at alpha=%g", task.name, editor.name,
                        self.operating_latent_change, self.max_alpha, reached, alpha)
        return alpha

    def _real_targets(self, datamodule, task: EditTask) -> torch.Tensor:
        """Real images that have the target (train split: rare attributes need the numbers)."""
        images = datamodule.images
        rows = task.targets(images.labels("train")).nonzero().squeeze(1)[: self.fid_codes]
        return images.split("train")[rows][0]

    # ------------------------------------------------------------------ reports
    def _classifier_reports(self, datamodule, latent_classifier, out_dir: Path) -> dict[str, float]:
        spec = datamodule.label_spec
        real = datamodule.images.split("test")
        rows = torch.arange(len(real))[: self.cap]
        x, y = real[rows]
        scores = classifier_scores(classify(datamodule.classifier, x, spec.kind), y, spec.kind, list(spec.names),
                                   "test/image_classifier")
        if latent_classifier is not None:
            codes = datamodule.split("test")
            with torch.no_grad():
                logits = torch.cat([latent_classifier(codes.codes[i : i + 4096].to(latent_classifier.device)).cpu()
                                    for i in range(0, len(codes), 4096)])
            scores.update(classifier_scores(latent_classifier.probabilities(logits), codes.labels, spec.kind,
                                            list(spec.names), "test/latent_classifier"))
        write_data_reports(datamodule, scores, out_dir)
        return scores

    def _summarise(self, results: dict, reference: dict) -> dict[str, float]:
        """test/<editor>/<metric>_<task> (mean over alpha) and test/<editor>/<metric> (mean over tasks)."""
        metrics, by_editor = {}, {}
        for task_name, per_editor in results.items():
            metrics[f"test/reference_change_{metric_key(task_name)}"] = reference[task_name]
            for key, entry in per_editor.items():
                values = {m: sum(p[m] for p in entry["points"]) / len(entry["points"]) for m in entry["points"][0]}
                values |= {f"{m}_at1": v for m, v in entry["natural"].items()
                           if m in ("target_change", "latent_change")}
                values |= {f"{m}_op": v for m, v in entry.get("operating", {}).items()
                           if m in ("target_change", "latent_change", "alpha")}
                values |= {f"cf_{m}": v for m, v in entry.get("counterfactual", {}).items()}
                values["alpha_max"] = entry["alpha_max"]
                if "fid" in entry:
                    values["fid"] = entry["fid"]
                for m, v in values.items():
                    metrics[f"test/{key}/{m}_{metric_key(task_name)}"] = v
                    by_editor.setdefault((key, m), []).append(v)
        for (key, m), vs in by_editor.items():
            metrics[f"test/{key}/{m}"] = sum(vs) / len(vs)
            if m in ("target_change_at1", "target_change", "target_change_op"):
                metrics[f"test/{key}/{m}_min"] = min(vs)
        return metrics

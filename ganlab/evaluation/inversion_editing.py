"""Editing after inversion, scored as UDA-inversion's Table II: each inverted code is moved
by `strength` standard deviations along an attribute direction (InterFaceGAN or GANSpace),
toward the opposite of what the classifier sees in the clean image, and rendered with
the inversion's own fusion (HFGI). Per editor, attribute and domain: FID of the edited
images against the clean test images, ID similarity to the clean image, and the share of
edits the classifier agrees with. Any other editor (ganlab.editing.editor.Editor) whose
tasks name the attributes is scored beside them.

A control that involves no inversion: the same edits of the generator's own held-out samples
(`test/edit_success_<editor>_<attribute>_sampled`). It is the editor's ceiling in this
generator's W: an edit that fails there fails on inverted codes whatever the encoder."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import torch
from torch import nn

from ganlab.data.resize import resize
from ganlab.editing.attribute_directions import fit_directions, sample_scores
from ganlab.editing.edit_sign import edit_sign
from ganlab.editing.editor import Editor, task_index
from ganlab.nets.inverters.base import Inversion


class EditScores:
    def __init__(self, generator: nn.Module, classifier: nn.Module, identity: nn.Module | None,
                 columns: dict[str, int], judge_size: int, samples: int, strength: float,
                 editors: dict[str, Editor] | None = None, control_samples: int = 256,
                 edit_layers: Mapping[str, Sequence[int]] | None = None):
        """samples: generator samples the directions are fitted on; control_samples: held-out ones
        edited for the no-inversion control (the evaluation passes its number of test images);
        edit_layers: {attribute: W+ layers} the fitted directions move (unlisted: every layer)."""
        self.generator, self.classifier, self.identity = generator, classifier, identity
        self.columns, self.judge_size, self.strength = columns, judge_size, strength
        codes, logits = sample_scores(generator, classifier, samples, judge_size)
        # seed 1: none of the codes the directions were fitted on
        self.control = sample_scores(generator, classifier, control_samples, judge_size, seed=1)
        fitted = fit_directions(codes, logits, columns)
        if edit_layers:
            fitted = {method: found.on_layers(edit_layers, generator.n_latent) for method, found in fitted.items()}
        self.editors: dict[str, Editor] = {**fitted, **(editors or {})}
        for editor in self.editors.values():
            for name in columns:
                task_index(editor, name)  # every editor edits every scored attribute
        self.edited, self.identity_sims, self.hits = defaultdict(list), defaultdict(list), defaultdict(list)

    def judge(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(resize(images, self.judge_size))

    @torch.no_grad()
    def update(self, domain: str, inversion: Inversion, clean: torch.Tensor) -> None:
        verdict = self.judge(clean) > 0
        for editor, edits in self.editors.items():
            for name in self.columns:
                present = verdict[:, self.columns[name]]
                goal = ~present
                steps = edit_sign(present) * self.strength
                images = inversion.render(self.generator, edits.edit(inversion.wplus, task_index(edits, name), steps))
                key = (editor, name, domain)
                self.edited[key].append(images)
                self.hits[key].append((self.judge(images)[:, self.columns[name]] > 0) == goal)
                if self.identity is not None:
                    self.identity_sims[key].append(self.identity.similarity(clean, images))

    def summary(self, clean: torch.Tensor, fid: Callable[[torch.Tensor, torch.Tensor], float]) -> dict[str, float]:
        """test/edit_{fid,id,success}_<editor>_<attribute>_<domain> and their means;
        fid(real, fake) is the evaluation's FID."""
        out: dict[str, float] = {}
        for (editor, name, domain), images in self.edited.items():
            suffix = f"{editor}_{name}_{domain}"
            out[f"test/edit_fid_{suffix}"] = fid(clean, torch.cat(images))
            out[f"test/edit_success_{suffix}"] = float(torch.cat(self.hits[(editor, name, domain)]).float().mean())
            if self.identity is not None:
                out[f"test/edit_id_{suffix}"] = float(torch.cat(self.identity_sims[(editor, name, domain)]).mean())
        for metric in ("fid", "id", "success"):
            values = [v for k, v in out.items() if k.startswith(f"test/edit_{metric}_")]
            if values:
                out[f"test/edit_{metric}"] = sum(values) / len(values)
        out.update(self.sampled_success())
        return out

    @torch.no_grad()
    def sampled_success(self, batch_size: int = 64) -> dict[str, float]:
        """test/edit_success_<editor>_<attribute>_sampled: the edits applied to held-out generator
        samples (W on every layer), judged as the inverted ones."""
        codes, logits = self.control
        device = self.generator.w_avg.device
        out = {}
        for editor, edits in self.editors.items():
            for name, column in self.columns.items():
                hits = []
                for w, scores in zip(codes.split(batch_size), logits.split(batch_size)):
                    present = scores[:, column] > 0
                    wplus = w.to(device)[:, None].expand(-1, self.generator.n_latent, -1)
                    edited = edits.edit(wplus, task_index(edits, name), edit_sign(present).to(device) * self.strength)
                    hits.append((self.judge(self.generator.synthesis(edited))[:, column] > 0).cpu() != present)
                out[f"test/edit_success_{editor}_{name}_sampled"] = float(torch.cat(hits).float().mean())
        return out

    def grid_images(self, n: int) -> list[torch.Tensor]:
        """The first n target-domain edits, one tensor per (editor, attribute)."""
        return [self.edited[(editor, name, "trg")][0][:n] for editor in self.editors for name in self.columns]

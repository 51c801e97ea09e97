"""Edits after inversion judged against the true counterfactual (ganlab.metrics.counterfactual),
for data that renders an image from its factors (synthfaces: `factors(split)` and
`render(attributes, identity)`).

For test image i with attributes a and identity id, the edit of attribute k moves the
inverted code `strength` standard deviations along the editor's direction, the way the
*true* attribute says (edit_sign(a_k): add it if absent, remove it if present), and is
rendered with the inversion's own fusion. Its counterfactual is
render(counterfactual_attributes(a, k, 1 - a_k), id): k flipped, plus what the data
generator's hard rules imply (a beard only with Male, make-up only without, one hair
colour). The same edit with the opposite sign is the control (it should not approach
the counterfactual).

Given the inverter, two oracle edits tell an editor's shortfall from the inversion's: the
counterfactual is inverted too (degraded as its source is on the target domain), and
- code: its code, rendered as an edit of the source is (with the source's fusion): the
  edit of an editor that knows the answer, as this encoder codes it (a reference, not a
  bound: the encoder's error on the counterfactual is its own);
- fusion: the source's code with the counterfactual's fusion (HFGI-style inverters only):
  how much of the attribute lives in the fusion, which every code edit reuses unchanged."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ganlab.data.synthfaces import ATTRIBUTES, counterfactual_attributes
from ganlab.editing.edit_sign import edit_sign
from ganlab.editing.editor import Editor, task_index
from ganlab.metrics.counterfactual import CounterfactualTally
from ganlab.nets.inverters.base import Inversion

CONTROLS = {"": 1.0, "wrong_": -1.0}  # metric prefix -> sign relative to the true edit


def renders_counterfactuals(datamodule) -> bool:
    """Whether the data (or the image data under a domain pair) can render counterfactuals."""
    images = getattr(datamodule, "images", datamodule)
    return hasattr(images, "factors") and hasattr(images, "render")


class CounterfactualEdits:
    def __init__(self, generator: nn.Module, editors: dict[str, Editor], attribute_names: list[str], strength: float,
                 attributes: torch.Tensor, identity: torch.Tensor,
                 render: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                 degrade: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None):
        """editors: {name: Editor} each editing `attribute_names`; attributes [N, 12], identity [N, 16]:
        the factors of the evaluated images, in their order; render(attributes, identity) ->
        images in [-1, 1] at the evaluated size; degrade(images, index): images as the target
        domain sees the evaluated images at `index` (for the oracle edits on that domain)."""
        unknown = [name for name in attribute_names if name not in ATTRIBUTES]
        if unknown:
            raise ValueError(f"counterfactual edits: attributes {sorted(set(unknown))} are not synthfaces "
                             f"attributes {list(ATTRIBUTES)}")
        self.generator, self.editors, self.names, self.strength = generator, editors, list(attribute_names), strength
        self.attributes, self.identity, self.render, self.degrade = attributes, identity, render, degrade
        self.tally, self.oracles = CounterfactualTally(), CounterfactualTally()

    @torch.no_grad()
    def update(self, domain: str, inversion: Inversion, start: int, inverter: nn.Module | None = None) -> None:
        """Score the edits of the inverted images start .. start + B - 1 (of the factors given);
        with the inverter that made `inversion`, also the oracle edits."""
        n = len(inversion.wplus)
        if start + n > len(self.attributes):
            raise ValueError(f"counterfactual edits: images {start}..{start + n - 1} but factors of only "
                             f"{len(self.attributes)} images")
        attrs, ident = self.attributes[start:start + n], self.identity[start:start + n]
        device = inversion.wplus.device
        for name in sorted(self.names):
            k = ATTRIBUTES.index(name)
            truth = self.render(counterfactual_attributes(attrs, name, 1 - attrs[:, k]), ident).to(device)
            sign = edit_sign(attrs[:, k]).to(device)
            for editor, edits in self.editors.items():
                task = task_index(edits, name)
                for prefix, control in CONTROLS.items():
                    steps = control * sign * self.strength
                    edited = inversion.render(self.generator, edits.edit(inversion.wplus, task, steps))
                    self.tally.update((prefix, editor, name, domain), edited, inversion.image, truth)
            if inverter is not None:
                self._oracles(domain, name, inversion, inverter, truth, torch.arange(start, start + n))

    def _oracles(self, domain: str, name: str, inversion: Inversion, inverter: nn.Module, truth: torch.Tensor,
                 index: torch.Tensor) -> None:
        if domain != "src" and self.degrade is None:
            raise ValueError("oracle edits on the target domain need `degrade` (the domain pair's)")
        seen = truth if domain == "src" else self.degrade(truth.cpu(), index).to(truth.device)
        answer = inverter(seen, self.generator)
        self.oracles.update(("code", name, domain), inversion.render(self.generator, answer.wplus),
                            inversion.image, truth)
        if inversion.features:
            self.oracles.update(("fusion", name, domain), answer.render(self.generator, inversion.wplus),
                                inversion.image, truth)

    def summary(self) -> dict[str, float]:
        """test/[wrong_]cf_{moved_toward,distance,psnr,start_distance}_<editor>_<attribute>_<domain>,
        test/[wrong_]cf_moved_toward_<editor> (mean over attributes and domains) and, where the
        inverter was given, test/cf_oracle_{moved_toward,...}_{code,fusion}_<attribute>_<domain>."""
        out: dict[str, float] = {}
        for (kind, name, domain), scores in self.oracles.summary().items():
            out.update({f"test/cf_oracle_{metric}_{kind}_{name}_{domain}": v for metric, v in scores.items()})
        for (prefix, editor, name, domain), scores in self.tally.summary().items():
            out.update({f"test/{prefix}cf_{metric}_{editor}_{name}_{domain}": v for metric, v in scores.items()})
        for prefix in CONTROLS:
            for editor in self.editors:
                shares = [v for k, v in out.items() if k.startswith(f"test/{prefix}cf_moved_toward_{editor}_")]
                if shares:
                    out[f"test/{prefix}cf_moved_toward_{editor}"] = sum(shares) / len(shares)
        return out

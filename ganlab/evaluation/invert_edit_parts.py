"""The trained parts +experiment=invert_edit composes, found from the config choices alone:

- the inverter: `inverter=optimization` is built as it is; `inverter=psp|e4e|hfgi` name an
  encoder architecture, replaced by the zoo's encoder of that architecture trained for the
  chosen generator (`trained[target]`); `inverter=uda` (or any zoo-loaded inverter) is that
  zoo model;
- the editor: `editor=interfacegan|ganspace|lt|lw` name an editor class, replaced by the
  zoo's editor of that class trained on the generator's labelled latent set;
- an editor trained on W codes applied to W+ codes (WPlusEditor): the same edit on every
  entry, which is the W edit for a W+ code that repeats one w.

Zoo models are trained for another generator by passing `generator.name=<name>` among the
zoo overrides, so each (part, generator) is trained once and cached. `load(name, overrides=...)`
is the zoo's loader (ganlab.zoo.load as a partial of the config: the zoo sits above the
evaluations)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ganlab.editing.editor import Editor, alpha_column

Load = Callable[..., nn.Module]

OPTIMIZATION = "ganlab.nets.inverters.optimization.OptimizationInverter"
ZOO_LOAD = "ganlab.zoo.load"


def zoo_overrides(generator_name: str | None, overrides: list[str]) -> list[str]:
    return [*overrides, *([f"generator.name={generator_name}"] if generator_name else [])]


def zoo_name(target: str, trained: dict[str, str], key: str, load: Load | None) -> str:
    if load is None:
        raise ValueError(f"method.evaluate.zoo_load is not set: the chosen {key[:-7]} comes from the zoo")
    if target not in trained:
        raise ValueError(f"method.evaluate.{key}: no trained zoo model for {target!r}; "
                         f"known: {sorted(trained)} (method.evaluate.trained)")
    return trained[target]


def load_inverter(target: str, zoo_inverter: str | None, trained: dict[str, str], optimization,
                  generator: nn.Module, image_size: int, generator_name: str | None, load: Load,
                  overrides: list[str]) -> tuple[nn.Module, str]:
    """(the inverter, its name in tables)."""
    if target == OPTIMIZATION:
        return optimization(generator=generator, image_size=image_size), "optimization"
    name = zoo_inverter if target == ZOO_LOAD else zoo_name(target, trained, "inverter_target", load)
    if not name:
        raise ValueError("method.evaluate.inverter_zoo: the inverter config loads a zoo model but names none")
    module = load(name, overrides=zoo_overrides(generator_name, overrides))
    inverter = getattr(module, "inverter", None)
    if inverter is None:
        raise TypeError(f"zoo model {name!r} is a {type(module).__name__} without an .inverter (an encoder stage)")
    return inverter, name


def load_editor(target: str, trained: dict[str, str], generator_name: str | None, load: Load,
                overrides: list[str]) -> tuple[Editor, str]:
    name = zoo_name(target, trained, "editor_target", load)
    editor = load(name, overrides=zoo_overrides(generator_name, overrides))
    if not isinstance(editor, Editor):
        raise TypeError(f"zoo model {name!r} is a {type(editor).__name__}, not an editor (.tasks, .edit)")
    return editor, name


class WPlusEditor:
    """An editor of W codes [N, D] applied to W+ codes [N, L, D], entry by entry; an editor
    of W+ codes with L entries (its `n_latent`) edits them as they are."""

    def __init__(self, editor: Editor, latent_dim: int):
        self.editor, self.latent_dim = editor, latent_dim
        self.tasks = list(editor.tasks)
        self.name = getattr(editor, "name", type(editor).__name__)

    def edit(self, codes: torch.Tensor, task: int, strength: torch.Tensor | float) -> torch.Tensor:
        if codes.shape[-1] != self.latent_dim:
            raise ValueError(f"{self.name}: codes end in {codes.shape[-1]} values, the generator's W has "
                             f"{self.latent_dim}")
        n, layers = codes.shape[0], codes.shape[1:-1].numel()
        if getattr(self.editor, "n_latent", 1) == layers > 1:  # an editor of W+ itself (LT: a map per entry)
            return self.editor.edit(codes, task, strength)
        step = alpha_column(strength, codes[:, 0] if codes.ndim > 2 else codes).expand(n, 1)
        flat = codes.reshape(n * layers, self.latent_dim)
        edited = self.editor.edit(flat, task, step.repeat_interleave(layers, 0).flatten())
        return edited.reshape(codes.shape)

"""One edit step for every image, scored against the true counterfactual: the steps compared
(`ceiling_steps`: the fitted editors', the one true pairs give, the counterfactual's own code)
and their scores (`score_steps`: moved toward it, the wrong-sign control, the share of the change
added). scripts/reproduce/linear_edit_ceiling.py scores a finished run's codes with them,
generator_edit_ceiling.py a generator's own optimised codes."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.metrics.counterfactual import edit_along, squared_error
from ganlab.nets.inverters.base import Inversion


def paired_steps(codes: torch.Tensor, answers: torch.Tensor, signs: torch.Tensor) -> torch.Tensor:
    """Codes and their counterfactuals' codes [N, L, D], signs [N] (+1: the change adds the
    attribute) -> per image [N, L, D], the mean change toward the attribute over the images
    of the other fold (even / odd positions), so no image's own pair enters its step."""
    if len(codes) < 2:
        raise ValueError(f"paired steps need >= 2 images (two folds), got {len(codes)}")
    toward = (answers - codes) * signs.to(codes)[:, None, None]
    fold = torch.arange(len(codes), device=codes.device) % 2
    steps = torch.empty_like(codes)
    for f in (0, 1):
        steps[fold == f] = toward[fold != f].mean(0)
    return steps


def step_scores(inversion: Inversion, generator: nn.Module, codes: torch.Tensor, step: torch.Tensor,
                source: torch.Tensor, truth: torch.Tensor, reverse: bool) -> dict[str, torch.Tensor]:
    """Per image: whether codes + step (and with `reverse`, codes - step) rendered as the
    inversion renders moves closer to the counterfactual `truth` than the reconstruction, and
    the share of the change source -> truth it adds (along)."""
    start = squared_error(inversion.image, truth)
    edited = inversion.render(generator, codes + step)
    out = {"moved": squared_error(edited, truth) < start,
           "along": edit_along(edited, inversion.image, source, truth)[0]}
    if reverse:
        out["wrong sign"] = squared_error(inversion.render(generator, codes - step), truth) < start
    return out


def summarise_steps(parts: list[dict[str, torch.Tensor]]) -> dict[str, float]:
    """Per-batch step_scores -> the shares moved (wrong sign: nan where not scored) and the median along."""
    joined = {key: torch.cat([part[key] for part in parts]) for key in parts[0]}
    wrong = joined.get("wrong sign")
    return {"moved": float(joined["moved"].float().mean()),
            "wrong sign": float("nan") if wrong is None else float(wrong.float().mean()),
            "along": float(joined["along"].median())}


def ceiling_steps(codes: torch.Tensor, answers: torch.Tensor, signs: torch.Tensor,
                  fitted: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The steps [N, L, D] scored for codes and their counterfactuals' codes: the fitted
    editors' ({name: step}), paired W+ (paired_steps, signed per image), paired W (that
    step averaged over the layers, put on each) and the oracle (the counterfactual's own code)."""
    paired = paired_steps(codes, answers, signs) * signs.to(codes)[:, None, None]
    return {**fitted, "paired W+": paired, "paired W": paired.mean(1, keepdim=True).expand_as(paired),
            "oracle": answers - codes}


def score_steps(inversions: list[Inversion], generator: nn.Module, steps: dict[str, torch.Tensor],
                sources: list[torch.Tensor], truths: list[torch.Tensor]) -> dict[str, dict[str, float]]:
    """{step name: summarise_steps row} over batches of inversions of `sources`, whose
    counterfactuals are `truths`; each step [N, L, D] in the order of the batches' codes. The
    oracle has no wrong-sign control (it is no single step)."""
    codes = torch.cat([inversion.wplus for inversion in inversions])
    sizes = [len(inversion.wplus) for inversion in inversions]
    return {label: summarise_steps([step_scores(inversion, generator, c, s, source, truth, reverse=label != "oracle")
                                    for inversion, c, s, source, truth in zip(inversions, codes.split(sizes),
                                                                              step.split(sizes), sources, truths)])
            for label, step in steps.items()}

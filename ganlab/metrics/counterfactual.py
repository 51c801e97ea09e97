"""Edits judged against the true counterfactual (data that can render one, e.g. synthfaces:
the perfect edit of attribute k of render(a, id) is render(a with k flipped, id)).

Per image, with RMSE over pixels of images mapped to [0, 1]:

- moved toward: the edit is closer to the counterfactual than the reconstruction it
  started from was (strictly: an edit that changes nothing has not moved);
- distance: RMSE(edit, counterfactual);
- PSNR against the counterfactual, from the mean squared error over all the images.

`CounterfactualTally` gathers these per key (e.g. editor, attribute, domain) over batches."""

from __future__ import annotations

import math
from collections import defaultdict

import torch

from ganlab.metrics.reconstruction import to_unit


def squared_error(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Images [N, C, H, W] in [-1, 1] -> [N] mean squared error in [0, 1] units."""
    if a.shape != b.shape:
        raise ValueError(f"images to compare must have one shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    return (to_unit(a) - to_unit(b)).pow(2).flatten(1).mean(1)


def edit_along(edited: torch.Tensor, reconstruction: torch.Tensor, source: torch.Tensor, target: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Per image [N]: the share of the change source -> target that reconstruction -> edited
    adds (1: all of it), and the RMSE (in [0, 1] units) of the rest of that edit's change."""
    moved = (to_unit(edited) - to_unit(reconstruction)).flatten(1)
    wanted = (to_unit(target) - to_unit(source)).flatten(1)
    along = (moved * wanted).sum(1) / wanted.pow(2).sum(1).clamp_min(1e-12)
    return along, (moved - along[:, None] * wanted).pow(2).mean(1).sqrt()


def counterfactual_scores(edited: torch.Tensor, reconstruction: torch.Tensor,
                          counterfactual: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per image [N]: moved (bool), distance (RMSE of edit to counterfactual), squared_error,
    and start (RMSE of the reconstruction to it)."""
    edit_se = squared_error(edited, counterfactual)
    start = squared_error(reconstruction, counterfactual).sqrt()
    distance = edit_se.sqrt()
    return {"moved": distance < start, "distance": distance, "squared_error": edit_se, "start": start}


def summarise(parts: dict[str, torch.Tensor]) -> dict[str, float]:
    """Per-image scores (as counterfactual_scores returns, possibly concatenated over batches) ->
    {moved_toward: share, distance: mean RMSE, psnr: dB over all images, start_distance}."""
    mse = float(parts["squared_error"].mean())
    return {"moved_toward": float(parts["moved"].float().mean()), "distance": float(parts["distance"].mean()),
            "psnr": math.inf if mse == 0 else -10 * math.log10(mse), "start_distance": float(parts["start"].mean())}


class CounterfactualTally:
    """Per-image counterfactual scores gathered per key over batches."""

    def __init__(self):
        self.parts: dict[tuple, dict[str, list[torch.Tensor]]] = defaultdict(lambda: defaultdict(list))

    def update(self, key: tuple, edited: torch.Tensor, reconstruction: torch.Tensor,
               counterfactual: torch.Tensor) -> None:
        for name, value in counterfactual_scores(edited, reconstruction, counterfactual).items():
            self.parts[key][name].append(value.detach().cpu())

    def summary(self) -> dict[tuple, dict[str, float]]:
        return {key: summarise({name: torch.cat(values) for name, values in parts.items()})
                for key, parts in self.parts.items()}

"""LW's source sample weights for biased data (Doubinsky et al. 2023, sec. 3.2): a negative
code's probability mass depends on how many target codes (P+) share its combination of a
few selected attributes (e.g. Male, Young, Smiling when editing Blond_Hair, which is rarely
Male). The paper: "we propose to weight the source samples according to the number of
similar samples in the target distribution ... n_k is the number of latent codes with the
attribute combination c_k" (its equation is lost from the text). Rules:

- `target_count`: a_k proportional to n+(c_k), normalised: a source's mass grows with the
  number of targets like it (the sentence read literally; the default). Sources of
  combinations common among the targets weigh more, so the transported mass moves toward
  the targets' mix of combinations (scripts/reproduce/lw_weight_rules.py measures by how much).
- `inverse_target_count`: a_k proportional to 1 / n+(c_k), normalised (an earlier reading:
  it favours sources whose look-alikes are rare among the targets, the opposite direction).
- `target_share`: a_k proportional to n+(c_k) / n-(c_k): each combination gets, among the
  sources, the share of mass it has among the targets (so OT need not move mass across
  combinations, e.g. turn men into women while adding blond hair).
- `uniform`: a_k = 1 / N-.

Combinations with no target code get weight 0 under every non-uniform rule (there is
nothing similar to transport them to); the caller drops those sources."""

from __future__ import annotations

import torch

RULES = ("uniform", "target_count", "inverse_target_count", "target_share")


def combination_keys(labels: torch.Tensor, columns: list[int]) -> torch.Tensor:
    """One integer per row naming its 0/1 values in `columns` (bit j = column j)."""
    bits = (labels[:, columns] > 0.5).long()
    return (bits * (2 ** torch.arange(len(columns), device=labels.device))).sum(1)


def source_weights(source_labels: torch.Tensor, target_labels: torch.Tensor, columns: list[int],
                   rule: str = "target_count") -> torch.Tensor:
    """Weights [N-] summing to 1 for the source codes, from their labels and the targets'."""
    if rule not in RULES:
        raise ValueError(f"source weight rule must be one of {RULES}, got {rule!r}")
    n = len(source_labels)
    if rule == "uniform" or not columns:
        return torch.full((n,), 1.0 / n)
    size = 2 ** len(columns)
    src, tgt = combination_keys(source_labels, columns), combination_keys(target_labels, columns)
    n_target = torch.bincount(tgt, minlength=size).float()
    n_source = torch.bincount(src, minlength=size).float()
    if rule == "target_count":
        per_combo = n_target
    elif rule == "inverse_target_count":
        per_combo = torch.where(n_target > 0, 1.0 / n_target.clamp(min=1), torch.zeros(size))
    else:
        per_combo = n_target / n_source.clamp(min=1)
    weights = per_combo[src]
    if weights.sum() <= 0:
        raise ValueError(f"no source code shares a combination of the selected attributes (columns {columns}) "
                         f"with any target code; select other attributes")
    return weights / weights.sum()


def rule_effect(source_labels: torch.Tensor, target_labels: torch.Tensor, columns: list[int],
                rule: str) -> dict[str, float]:
    """What a rule does to the sources: `tv`, the total variation between their weighted mass
    per combination and the targets' share of each combination (0: the targets' mix); `ess`,
    their effective sample size 1 / sum w^2 as a share of N-; `dropped`, the share given no mass."""
    weights = source_weights(source_labels, target_labels, columns, rule)
    size = 2 ** len(columns)
    mass = torch.zeros(size).index_add_(0, combination_keys(source_labels, columns), weights)
    share = torch.bincount(combination_keys(target_labels, columns), minlength=size).float() / len(target_labels)
    return {"tv": float((mass - share).abs().sum() / 2), "ess": float(1 / (weights**2).sum() / len(source_labels)),
            "dropped": float((weights == 0).float().mean())}

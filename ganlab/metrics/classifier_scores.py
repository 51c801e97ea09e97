"""How good a classifier is on labelled held-out data: accuracy and ROC AUC per attribute
(binary labels) or per class, one-vs-rest (categorical), via torchmetrics."""

from __future__ import annotations

import torch
from torchmetrics.classification import MulticlassAUROC, MultilabelAUROC


def classifier_scores(probabilities: torch.Tensor, labels: torch.Tensor, kind: str, names: list[str],
                      prefix: str) -> dict[str, float]:
    """{prefix}_acc (mean), {prefix}_acc_<name>, {prefix}_auc (mean), {prefix}_auc_<name>;
    an attribute with one class only in `labels` has no AUC (left out)."""
    probabilities, labels = probabilities.float().cpu(), labels.float().cpu()
    out: dict[str, float] = {}
    if kind == "categorical":
        truth = labels.argmax(1)
        hits = probabilities.argmax(1) == truth
        out[f"{prefix}_acc"] = float(hits.float().mean())
        per = [float(hits[truth == c].float().mean()) if (truth == c).any() else float("nan")
               for c in range(len(names))]
        auc = MulticlassAUROC(num_classes=len(names), average=None)(probabilities, truth)
    else:
        per_hits = ((probabilities > 0.5).float() == labels).float().mean(0)
        per = per_hits.tolist()
        out[f"{prefix}_acc"] = float(per_hits.mean())
        auc = MultilabelAUROC(num_labels=len(names), average=None)(probabilities, labels.long())
    present = [(labels[:, j].min() != labels[:, j].max()) for j in range(len(names))]
    for j, name in enumerate(names):
        if per[j] == per[j]:
            out[f"{prefix}_acc_{name}"] = per[j]
        if present[j]:
            out[f"{prefix}_auc_{name}"] = float(auc[j])
    aucs = [float(auc[j]) for j in range(len(names)) if present[j]]
    if aucs:
        out[f"{prefix}_auc"] = sum(aucs) / len(aucs)
    return out

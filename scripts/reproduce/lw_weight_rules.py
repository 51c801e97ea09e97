"""Which of LW's source-weight rules does what the paper says the weights are for? The paper
weights the sources "according to the number of similar samples in the target" because, on
biased data, "the representation of semantically similar samples may vary significantly
between" the source and target sets. Per edit of the `lw` recipe (its weight attributes Male,
Young, Smiling, the target's own left out), on synthfaces' attribute labels (the data the
recipe's codes are labelled after), this reports for each rule (ganlab/editing/sample_weights.py):

- `TV to target`: total variation between the sources' weighted mass per attribute
  combination and the targets' share of each combination (0: the weighted sources hold the
  combinations in the targets' proportions, so OT need not move mass across them);
- `ESS`: the weighted sources' effective sample size, 1 / sum w^2, as a share of N-;
- `dropped`: the share of sources given no mass (their combination has no target).

    python scripts/reproduce/lw_weight_rules.py [--num 20000] [--seed 0]

Nothing is trained; a few seconds on a CPU."""

from __future__ import annotations

import argparse

import torch

from ganlab.data.synthfaces import ATTRIBUTES, sample_attributes
from ganlab.editing.sample_weights import RULES, rule_effect

EDITS = ("Male", "Eyeglasses", "Smiling", "Pale_Skin", "Blond_Hair")
WEIGHT_ATTRIBUTES = ("Male", "Young", "Smiling")


def rule_scores(labels: torch.Tensor, edit: str, rule: str) -> dict[str, float]:
    target_column = ATTRIBUTES.index(edit)
    columns = [ATTRIBUTES.index(a) for a in WEIGHT_ATTRIBUTES if a != edit]
    present = labels[:, target_column] == 1
    return rule_effect(labels[~present], labels[present], columns, rule)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    labels = sample_attributes(args.num, torch.Generator().manual_seed(args.seed))
    print(f"synthfaces attribute labels, {args.num} faces (seed {args.seed}); weight attributes "
          f"{', '.join(WEIGHT_ATTRIBUTES)}\n")
    print("| edit | " + " | ".join(f"{r} TV to target | {r} ESS" for r in RULES) + " |")
    print("|---|" + "---|---|" * len(RULES))
    for edit in EDITS:
        scores = [rule_scores(labels, edit, r) for r in RULES]
        print(f"| {edit} | " + " | ".join(f"{s['tv']:.3f} | {s['ess']:.2f}" for s in scores) + " |")


if __name__ == "__main__":
    main()

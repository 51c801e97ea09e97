"""Do affine edits that reach the target exist in a recipe's W at all? Per edit, LW's map
w + A w + b (zero start) is trained on the training negatives with the objective of the
classifier-guided editors (GuidedStyle): cross-entropy of a *guide* image classifier on the
rendered G(T(w)) toward the target. It is then judged like the LW editor, on held-out
negatives, by the recipe's own image classifier. The guide is that classifier's recipe
trained again under another seed (--guide-seed): an edit that only fools its guide (an
adversarial perturbation, the failure the LW paper pins on LT) keeps its guide's verdict but
not the judge's, as far as such perturbations do not transfer between two nets of one
architecture and data. `outputs/lw_guided_ceiling/<recipe>/<edit>.png` shows held-out
codes before (top rows) and after (bottom rows) for the eye.

    python scripts/reproduce/lw_guided_ceiling.py +experiment=lw_multidigits data.source=sample '~inverter' \
        [--steps 300] [--guide-seed 1]
        [--keep-weight 0]

If this map reaches the target where LW's (and the affine fit to the exact OT plan,
scripts/reproduce/lw_affine_bound.py) does not, the affine form is not the limit; the bound's `OT
targets` columns then tell whether the transport in W (squared Euclidean cost) asks for
the target at all.

`--objective transport` keeps LW's own loss, the Sinkhorn divergence from the transported
negatives to the training positives, but takes its cost on the renders (the guide's
penultimate features, or `--space pixels`), partly or wholly (`--feature-share`): does a
cost that sees the images, not W, make LW's objective ask for the count? (A departure from
the paper, a diagnostic only.)
Writes outputs/lw_guided_ceiling/<recipe>[-transport-<space><share>][-keep<w>]/table.md."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from hydra.utils import instantiate

from ganlab import compose
from ganlab.data.latents import classify, hard_labels
from ganlab.editing.analysis.task_codes import codes_of, w_splits
from ganlab.evaluation.recipe_judge import recipe_judge
from ganlab.methods.editors.guided_edit import train_guided
from ganlab.methods.editors.transported_edit import train_transported
from ganlab.metrics.tables import markdown_table
from ganlab.reports.grid import Grid, save_grid
from ganlab.runner.run import prepare


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sampled_codes = ["+experiment=lw_multidigits", "data.source=sample", "~inverter"]  # W, as it needs
    parser.add_argument("overrides", nargs="*", default=sampled_codes)
    parser.add_argument("--steps", type=int, default=300, help="Adam steps per edit")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--guide-seed", type=int, default=1,
                        help="seed of the guide classifier's recipe (the judge is the zoo's, seed 0)")
    parser.add_argument("--codes", type=int, default=1000, help="held-out negatives per edit")
    parser.add_argument("--keep-weight", type=float, default=0.0,
                        help="weight of the pixel MSE to the unedited render (0: target change alone)")
    parser.add_argument("--objective", choices=("guide", "transport"), default="guide",
                        help="guide: the guide's cross-entropy; transport: LW's Sinkhorn divergence toward the "
                             "training positives with the cost on the renders (--space)")
    parser.add_argument("--feature-share", type=float, default=1.0,
                        help="transport: share of the cost on rendered features (the rest on W; 0 = LW's cost)")
    parser.add_argument("--space", choices=("guide", "pixels"), default="guide",
                        help="transport: the render's features, the guide's penultimate layer or its pixels")
    parser.add_argument("--blur", type=float, default=0.05, help="transport: Sinkhorn blur, in units of the "
                                                                   "positives' median pairwise distance")
    args = parser.parse_args(argv)
    if args.objective == "transport" and args.keep_weight:
        parser.error("--keep-weight belongs to --objective guide; the transport objective has no pixel term")
    if not 0 <= args.feature_share <= 1:
        parser.error(f"--feature-share must lie in [0, 1], got {args.feature_share}")
    print("$ python scripts/reproduce/lw_guided_ceiling.py " + " ".join(sys.argv[1:] if argv is None else argv))
    out = Path("outputs") / "lw_guided_ceiling"
    cfg, datamodule = prepare(compose([*args.overrides, f"paths.output_dir={out / 'run'}", "logger=none"]))
    judge = recipe_judge(cfg, datamodule)
    train, test = w_splits(datamodule)
    kind, generator = datamodule.label_spec.kind, datamodule.generator.requires_grad_(False)
    # the classifier's network: its logits, and its penultimate features for the transport
    guide = instantiate(cfg.data.classifier, overrides=[*cfg.zoo_overrides, f"seed={args.guide_seed}"]).net.eval()
    guide.requires_grad_(False)
    name = cfg.get("experiment_name") or "recipe"
    if args.objective == "transport":
        name += f"-transport-{args.space}{args.feature_share:g}"
    report = out / (f"{name}-keep{args.keep_weight:g}" if args.keep_weight else name)
    report.mkdir(parents=True, exist_ok=True)
    rows = []
    for task in datamodule.tasks:
        source = codes_of(train, task.sources)
        start = time.perf_counter()
        if args.objective == "transport":
            edit = train_transported(generator, guide, datamodule.image_size, source, codes_of(train, task.targets),
                                     args.steps, args.batch_size, args.lr, cfg.seed, args.feature_share, args.blur,
                                     args.space)
        else:
            edit = train_guided(generator, guide, task, kind, datamodule.image_size, source, args.steps,
                                args.batch_size, args.lr, cfg.seed, args.keep_weight)
        seconds = time.perf_counter() - start
        held_out = codes_of(test, task.sources)[: args.codes]
        with torch.no_grad():
            before, after = judge.observe(held_out), judge.observe(edit(held_out, 0))
            by_guide = task.reached(hard_labels(classify(guide, after.images, kind), kind)).float().mean()
            shift = (after.codes - before.codes).norm(dim=1).median()
            spacing = torch.cdist(held_out[:500], held_out[:500]).median()
        scores = judge.score(task, before, after)
        n = min(16, len(held_out))
        save_grid(Grid(torch.cat([before.images[:n], after.images[:n]]), n, rows=["before", "after"]),
                  report / f"{task.name.replace('>', '')}.png",
                  f"{task.name}: held-out codes before and after the edit")
        rows.append([task.name, str(len(source)), str(len(held_out)), f"{scores['target_change']:.3f}",
                     f"{float(by_guide):.3f}", *(f"{scores[k]:.3f}" if k in scores else "" for k in
                                                 ("preservation", "identity")),
                     f"{float(shift):.2f} / {float(spacing):.2f}", f"{seconds:.0f}"])
        print(" | ".join(rows[-1]), flush=True)
    table = markdown_table(["edit", "P- (train)", "held out", "target change (judge)", "target change (guide)",
                            "preservation", "identity", "median edit length / code spacing", "train s"], rows)
    objective = (f"Sinkhorn transport, {args.feature_share:g} of the cost on the renders ({args.space})"
                 if args.objective == "transport" else f"keep weight {args.keep_weight:g}")
    (report / "table.md").write_text(f"Affine edits trained through G, guide classifier seed {args.guide_seed}, "
                                    f"{args.steps} steps, {objective}, judged by the recipe's classifier"
                                    f"\n\n{table}\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

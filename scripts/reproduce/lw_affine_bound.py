"""How far can LW's affine edit go on a recipe's codes? Per edit, the optimal transport plan
between all training negatives P- and positives P+ (GeomLoss's entropic potentials, squared
Euclidean cost, no minibatches) gives each negative its barycentric target; the affine map
w + A w + b fitted to those targets by least squares is the edit LW would learn with exact,
full-set OT (sources weighted uniformly). It is judged like the LW editor: held-out
negatives, edited at alpha = 1/n, ..., 1, rendered and scored by the recipe's image classifier
(target change, preservation) and identity net; alpha = 1 and the mean over alpha (the
tables' layout) are reported. The `OT targets` columns score the plan's targets themselves
(the first --codes training negatives against their barycentric targets, rendered): what the
transport in W asks of an edit before any map is fitted to it. `fit R2` is the share of the
plan's displacements (beyond their mean shift) that the fitted map explains on P-.

    python scripts/reproduce/lw_affine_bound.py +experiment=lw_multidigits [--blur 0.5] [--codes 1000]
    python scripts/reproduce/lw_affine_bound.py +experiment=lw_multidigits data.source=sample '~inverter'

On W+ codes [N, L, D] the plan is computed on the flattened codes (the cost LW's Sinkhorn
loss sees) and the map is fitted in the recipe's `editor.layout` (shared, per_layer, full).

If the fitted map edits no better than the trained LW editor, the affine form, not LW's
training (minibatch OT, early stopping), sets the limit on this generator's codes. The
`linear probe` column says why: the held-out balanced accuracy of a logistic regression
telling P- from P+ in W (an affine edit can only move codes along what is linear there);
`MLP probe` is the same for a small MLP, what a non-linear reading of W gets.
Writes outputs/lw_affine_bound/<recipe>.md."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from ganlab import compose
from ganlab.editing.analysis.affine_fit import affine_r2, fit_affine
from ganlab.editing.analysis.ot_targets import barycentric_targets
from ganlab.editing.analysis.probes import linear_probe, mlp_probe
from ganlab.editing.analysis.task_codes import codes_of
from ganlab.evaluation.recipe_judge import recipe_judge
from ganlab.metrics.tables import markdown_table
from ganlab.runner.run import prepare

COLUMNS = ("target_change", "preservation", "identity")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("overrides", nargs="*", default=["+experiment=lw_multidigits"])
    parser.add_argument("--blur", type=float, default=0.5, help="entropic blur of the full-set OT plan")
    parser.add_argument("--codes", type=int, default=1000, help="held-out negatives per edit")
    parser.add_argument("--alphas", type=int, default=10, help="strengths 1/n, ..., 1 (the tables' mean over alpha)")
    args = parser.parse_args(argv)
    print("$ python scripts/reproduce/lw_affine_bound.py " + " ".join(sys.argv[1:] if argv is None else argv))
    out = Path("outputs") / "lw_affine_bound"
    cfg, datamodule = prepare(compose([*args.overrides, f"paths.output_dir={out / 'run'}", "logger=none"]))
    judge = recipe_judge(cfg, datamodule)
    train, test = datamodule.split("train"), datamodule.split("test")
    layout = cfg.editor.get("layout", "shared") if train.codes.ndim == 3 else "shared"
    rows = []
    for task in datamodule.tasks:
        source, target = codes_of(train, task.sources), codes_of(train, task.targets)
        flat = source.flatten(1), target.flatten(1)  # W+ codes as the plan and the probes see them
        start = time.perf_counter()
        goal = barycentric_targets(*flat, args.blur).view_as(source)
        edit = fit_affine(source, goal, layout)
        seconds = time.perf_counter() - start
        fit = f"{affine_r2(source, goal, edit):.3f}"
        held_sources, held_targets = codes_of(test, task.sources), codes_of(test, task.targets)
        probes = [f"{probe(*flat, held_sources.flatten(1), held_targets.flatten(1)):.3f}"
                  for probe in (linear_probe, mlp_probe)]
        held_out = held_sources[: args.codes]
        with torch.no_grad():
            # the plan's own targets, before any map is fitted: what OT in W asks the edit for
            planned = judge.score(task, judge.observe(source[: args.codes]), judge.observe(goal[: args.codes]))
            before = judge.observe(held_out)
            swept = [judge.score(task, before, judge.observe(edit(held_out, 0, alpha)))
                     for alpha in [(i + 1) / args.alphas for i in range(args.alphas)]]
        mean = {k: sum(s[k] for s in swept) / len(swept) for k in swept[-1]}
        rows.append([task.name, str(len(source)), str(len(target)), str(len(held_out)),
                     *(f"{planned[k]:.3f}" if k in planned else "" for k in COLUMNS),
                     *(f"{swept[-1][k]:.3f} / {mean[k]:.3f}" if k in mean else "" for k in COLUMNS), fit, *probes,
                     f"{seconds:.1f}"])
        print(" | ".join(rows[-1]), flush=True)
    table = markdown_table(["edit", "P- (train)", "P+ (train)", "held out",
                            *(f"OT targets: {c.replace('_', ' ')}" for c in COLUMNS),
                            *(f"{c.replace('_', ' ')} (alpha = 1 / mean)" for c in COLUMNS),
                            "fit R2", "linear probe", "MLP probe", "fit s"], rows)
    name = cfg.get("experiment_name") or "recipe"
    out.mkdir(parents=True, exist_ok=True)
    title = f"Affine fit ({layout} map) to the full-set OT plan (blur {args.blur}), at alpha = 1 and the mean over"
    (out / f"{name}.md").write_text(f"{title} {args.alphas} strengths\n\n{table}\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where each trained editor of a latent-editing run moves the codes at Table 2's operating
point, against where the transport says they should go. Per edit and editor of finished
`lw_multidigits` (or `lw`) runs, on the run's held-out negatives (the evaluation's first
`eval_codes`), each edited at the editor's operating alpha (`test/<editor>/alpha_op_<edit>`
in the run's metrics.json):

- cos to plan: the mean cosine between the edit's displacement and the code's displacement
  under the full-set entropic OT plan from those negatives to all training positives (its
  barycentric target, squared Euclidean cost on the flattened W+ codes, as LW's loss sees them);
- cos to means: the cosine between the mean displacement and mean(P+) - mean(P-) (train);
- norm ratio: the median of |edit displacement| / |plan displacement| per code;
- image / latent change: the run's own target changes at that point (image classifier,
  latent classifier).

An edit that flips the latent classifier along a short, off-plan displacement changes the
classifier's verdict, not the image (Table 2's adversarial case); an edit along the plan
changes the image. Mean over the runs given (e.g. three seeds):

    python scripts/reproduce/lw_edit_geometry.py outputs/sweeps/<sweep>/seed0 outputs/sweeps/<sweep>/seed1 ...

Writes outputs/lw_edit_geometry.md and prints it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from ganlab.editing.analysis.ot_targets import barycentric_targets
from ganlab.editing.analysis.task_codes import codes_of
from ganlab.editing.editor import Editor, task_index
from ganlab.evaluation.edit_report import editor_key, metric_key
from ganlab.metrics.tables import markdown_table
from ganlab.runner.run_folder import load_config, load_datamodule, load_stage

COLUMNS = ("alpha", "cos to plan", "cos to means", "norm ratio", "image change", "latent change")


def geometry(run: Path, blur: float) -> dict[tuple[str, str], dict[str, float]]:
    """{(edit, editor name): the columns} for one run folder."""
    cfg, metrics = load_config(run), json.loads((run / "metrics.json").read_text())
    datamodule = load_datamodule(run)
    limit = cfg.method.evaluate.get("eval_codes")
    editors = [m for m in (load_stage(run, name) for name in cfg.method.stages) if isinstance(m, Editor)]
    train, test = datamodule.split("train"), datamodule.split("test")
    found = {}
    for task in datamodule.tasks:
        sources = codes_of(test, task.sources)[:limit]
        positives, negatives = codes_of(train, task.targets), codes_of(train, task.sources)
        planned = barycentric_targets(sources.flatten(1), positives.flatten(1), blur) - sources.flatten(1)
        means = positives.flatten(1).mean(0) - negatives.flatten(1).mean(0)
        for editor in editors:
            if task.name not in editor.tasks:
                continue
            prefix = f"test/{editor_key(editor.name)}/"
            suffix = metric_key(task.name)
            alpha = metrics[f"{prefix}alpha_op_{suffix}"]
            with torch.no_grad():
                moved = (editor.edit(sources, task_index(editor, task.name), alpha) - sources).flatten(1)
            found[task.name, editor.name] = {
                "alpha": alpha, **displacement_scores(moved, planned, means),
                "image change": metrics[f"{prefix}target_change_op_{suffix}"],
                "latent change": metrics[f"{prefix}latent_change_op_{suffix}"],
            }
    return found


def displacement_scores(moved: torch.Tensor, planned: torch.Tensor, means: torch.Tensor) -> dict[str, float]:
    """An edit's displacements [N, D] against the plan's [N, D] and the class-mean difference [D]."""
    return {"cos to plan": F.cosine_similarity(moved, planned, dim=1).mean().item(),
            "cos to means": F.cosine_similarity(moved.mean(0), means, dim=0).item(),
            "norm ratio": (moved.norm(dim=1) / planned.norm(dim=1)).median().item()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="finished run folders of one recipe (e.g. its seeds)")
    parser.add_argument("--blur", type=float, default=0.5, help="entropic blur of the full-set OT plan")
    args = parser.parse_args(argv)
    print("$ python scripts/reproduce/lw_edit_geometry.py " + " ".join(sys.argv[1:] if argv is None else argv))
    per_run = [geometry(run, args.blur) for run in args.runs]
    rows = []
    for key in per_run[0]:
        values = [found[key] for found in per_run if key in found]
        rows.append([*key, *(f"{sum(v[c] for v in values) / len(values):.3f}" for c in COLUMNS)])
    table = markdown_table(["edit", "editor", *COLUMNS], rows)
    out = Path("outputs") / "lw_edit_geometry.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    title = f"Edits at Table 2's operating point against the OT plan, mean over {len(per_run)} runs"
    out.write_text(f"{title}\n\n{table}\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

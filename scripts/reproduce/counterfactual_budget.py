"""Why an edit after inversion does or does not move toward the true counterfactual, per
attribute: how much the attribute changes the image, how much room the reconstruction's own
error leaves an edit, and how much of the editor's change is the attribute's and how much is
elsewhere. Reads a finished inversion run on synthfaces (its trained stage and evaluation
settings) and scores the evaluation's fitted editors at its edit strength.

For a test image x = render(a, id), its counterfactual c (the attribute flipped, the data's
rules applied), the reconstruction r and the edit e of r (RMSE over pixels in [0, 1]; medians
over images):
- change |c - x|: what a perfect edit adds;
- error |r - x|: the reconstruction's own error (x is the clean image on both domains);
- room sqrt(|r - c|^2 - |r - x|^2): the most an edit that adds exactly c - x may change
  elsewhere and still end closer to c than r is ("moved toward", when the two errors are
  uncorrelated);
- along <e - r, c - x> / |c - x|^2: the share of the attribute's change the edit adds (1: all);
- elsewhere |(e - r) - along (c - x)|: the rest of the edit's change.
With --base, r and e are the base code's renders without the HFGI fusion: whether the editor
moves the generator's image, apart from the fusion that every code edit reuses.

    python scripts/reproduce/counterfactual_budget.py outputs/train/runs/<run> [--images N] \
        [--editor interfacegan] [--base] [--set edit_strength=1]
"""

from __future__ import annotations

from collections import defaultdict

import torch

from ganlab.data.synthfaces import ATTRIBUTES, counterfactual_attributes
from ganlab.editing.edit_sign import edit_sign
from ganlab.editing.editor import task_index
from ganlab.metrics.counterfactual import edit_along, squared_error
from ganlab.nets.mode import evaluating
from ganlab.runner.run_edits import as_scored, load_run_edits, run_edit_parser

COLUMNS = ("change", "error", "room", "moved", "along", "elsewhere", "moved_wrong_sign")


def rmse(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Images [N, C, H, W] in [-1, 1] -> [N] RMSE in [0, 1] units."""
    return squared_error(a, b).sqrt()


def main(argv: list[str] | None = None) -> dict:
    parser = run_edit_parser(__doc__.split("\n\n")[0])
    args = parser.parse_args(argv)
    run = load_run_edits(args.run, args.set)
    evaluation, generator, inverter, data = run.evaluation, run.generator, run.inverter, run.data
    editor = run.edits.editors[args.editor]
    attributes, identity = data.images.factors("test")
    parts = defaultdict(list)
    with torch.no_grad(), evaluating(generator), evaluating(inverter):
        seen = 0
        for batch in data.pairs("test", args.images or evaluation.num_images, evaluation.batch_size):
            n = len(batch.source)
            attrs, ident = attributes[seen:seen + n], identity[seen:seen + n]
            for domain, seen_image in (("src", batch.source), ("trg", batch.target)):
                inversion = as_scored(inverter(seen_image, generator), args.base)
                recon = inversion.image
                error = rmse(recon, batch.source)
                for name in evaluation.columns:
                    k = ATTRIBUTES.index(name)
                    truth = data.images.render(counterfactual_attributes(attrs, name, 1 - attrs[:, k]), ident)
                    sign = edit_sign(attrs[:, k])
                    start = rmse(recon, truth)
                    out = {"change": rmse(truth, batch.source), "error": error,
                           "room": (start.pow(2) - error.pow(2)).clamp_min(0).sqrt()}
                    for label, steps in (("moved", sign), ("moved_wrong_sign", -sign)):
                        codes = editor.edit(inversion.wplus, task_index(editor, name), steps * evaluation.edit_strength)
                        edited = inversion.render(generator, codes)
                        out[label] = (rmse(edited, truth) < start).float()
                        if label == "moved":
                            out["along"], out["elsewhere"] = edit_along(edited, recon, batch.source, truth)
                    for key, value in out.items():
                        parts[(name, domain, key)].append(value)
            seen += n
    table = {}
    print(f"| attribute | domain | {' | '.join(COLUMNS)} |\n|" + "---|" * (len(COLUMNS) + 2))
    for name in evaluation.columns:
        for domain in ("src", "trg"):
            values = {key: torch.cat(parts[(name, domain, key)]) for key in COLUMNS}
            row = {key: float(v.mean() if key.startswith("moved") else v.median()) for key, v in values.items()}
            table[(name, domain)] = row
            print(f"| {name} | {domain} | " + " | ".join(f"{row[key]:.3f}" for key in COLUMNS) + " |")
    return table


if __name__ == "__main__":
    main()

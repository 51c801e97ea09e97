"""Whether one step for every image can move inverted codes toward the true counterfactual:
the evaluation's fitted direction against the best such step that true pairs give, and
against the counterfactual's own code. Reads a finished inversion run on synthfaces.

For test image x = render(a, id) and the counterfactual c of each attribute (the attribute
flipped, the data's rules applied), both are inverted (the run's encoder, or with
--inverter optimization the evaluation's optimisation in W+, --steps long; on the target
domain both are degraded alike). Each editor moves x's code toward the attribute (away from
it where x has it), rendered as x's reconstruction r is (with its fusion, unless --base):
- interfacegan (or --editor): the evaluation's fitted direction at its edit strength;
- paired W+: the mean over the other half of the images of their codes' change from x to c
  (toward the attribute): the one step per W+ layer that true pairs give, which no classifier
  or sample distribution chose, never fitted on the image it moves (two folds);
- paired W: the same step averaged over the layers and put on each (a direction in W);
- oracle: c's own code (no single step: it knows each image's answer).
Per editor: the share of edits closer to c than r is (moved), the same with the step reversed
(wrong sign; for the oracle, not defined), and the median share of the change c - x the edit
adds (along; 1 = all of it), over the images.

    python scripts/reproduce/linear_edit_ceiling.py outputs/train/runs/<run> [--images N] \
        [--base] [--inverter optimization --steps 200] [--domains src] [--set edit_strength=1]
"""

from __future__ import annotations

import torch
from hydra.utils import instantiate

from ganlab.data.synthfaces import ATTRIBUTES, counterfactual_attributes
from ganlab.editing.edit_sign import edit_sign
from ganlab.editing.editor import task_index
from ganlab.evaluation.edit_ceiling import ceiling_steps, score_steps
from ganlab.nets.mode import evaluating
from ganlab.runner.run_edits import as_scored, load_run_edits, run_edit_parser


def main(argv: list[str] | None = None) -> dict:
    parser = run_edit_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--inverter", choices=("encoder", "optimization"), default="encoder",
                        help="invert with the run's encoder or the evaluation's optimisation")
    parser.add_argument("--steps", type=int, default=None, help="optimisation steps (default: the evaluation's)")
    parser.add_argument("--domains", nargs="+", choices=("src", "trg"), default=["src", "trg"])
    args = parser.parse_args(argv)
    run = load_run_edits(args.run, args.set)
    evaluation, generator, inverter, data = run.evaluation, run.generator, run.inverter, run.data
    if args.inverter == "optimization":
        if run.settings.optimization is None:
            raise ValueError("--inverter optimization: the run's evaluation has no optimization settings (it ran "
                             "with method.evaluate.optimization=null); give them, e.g. --set "
                             "optimization._target_=ganlab.nets.inverters.optimization.OptimizationInverter "
                             "optimization._partial_=true optimization.steps=200")
        steps = {} if args.steps is None else {"steps": args.steps}
        inverter = instantiate(run.settings.optimization)(generator=generator, image_size=inverter.image_size, **steps)
    editor = run.edits.editors[args.editor]
    count = args.images or evaluation.num_images
    # the evaluation's batches: a target image's degradation depends on the batch it is drawn in
    batches = list(data.pairs("test", count, evaluation.batch_size))
    sizes = [len(b.source) for b in batches]
    factors = [t[:sum(sizes)].split(sizes) for t in data.images.factors("test")]
    indices = torch.arange(sum(sizes)).split(sizes)
    table = {}
    print(f"| attribute | domain | editor | moved | wrong sign | along |\n|{'---|' * 6}")
    with torch.no_grad(), evaluating(generator), evaluating(inverter):
        for domain in args.domains:
            inversions = [as_scored(inverter(b.source if domain == "src" else b.target, generator), args.base)
                          for b in batches]
            codes = torch.cat([inversion.wplus for inversion in inversions])
            for name in evaluation.columns:
                k = ATTRIBUTES.index(name)
                truths = [data.images.render(counterfactual_attributes(a, name, 1 - a[:, k]), i)
                          for a, i in zip(*factors)]
                answer = torch.cat([as_scored(inverter(t if domain == "src" else data.degrade_as(t, "test", index),
                                                       generator), args.base).wplus
                                    for t, index in zip(truths, indices)])
                sign = edit_sign(torch.cat(factors[0])[:, k]).to(codes)
                fitted = editor.edit(codes, task_index(editor, name), sign * evaluation.edit_strength) - codes
                rows = score_steps(inversions, generator, ceiling_steps(codes, answer, sign, {args.editor: fitted}),
                                   [b.source for b in batches], truths)
                for label, row in rows.items():
                    table[(name, domain, label)] = row
                    print(f"| {name} | {domain} | {label} | " + " | ".join(f"{v:.3f}" for v in row.values()) + " |")
    return table


if __name__ == "__main__":
    main()

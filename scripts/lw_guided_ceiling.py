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

    python scripts/lw_guided_ceiling.py +experiment=lw_multidigits [--steps 300] [--guide-seed 1] [--keep-weight 0]

If this map reaches the target where LW's (and the affine fit to the exact OT plan,
scripts/lw_affine_bound.py) does not, the affine form is not the limit; the bound's `OT
targets` columns then tell whether the transport in W (squared Euclidean cost) asks for
the target at all.
Writes outputs/lw_guided_ceiling/<recipe>[-keep<w>]/table.md."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from hydra.utils import instantiate
from torchvision.utils import save_image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ganlab.data.latents import classify, hard_labels  # noqa: E402
from ganlab.data.resize import resize  # noqa: E402
from ganlab.editing.affine import AffineEdits  # noqa: E402
from ganlab.editing.render import to_wplus  # noqa: E402
from ganlab.editing.tasks import EditTask  # noqa: E402
from ganlab.metrics.tables import markdown_table  # noqa: E402
from scripts.lw_affine_bound import codes_of, recipe_judge, w_splits  # noqa: E402


def guide_loss(logits: torch.Tensor, task: EditTask, kind: str) -> torch.Tensor:
    """Cross-entropy toward the target: the target class (categorical) or the target
    attribute's value (binary; the other attributes are left free, this is a ceiling on
    target change alone)."""
    if kind == "categorical":
        return F.cross_entropy(logits, torch.full((len(logits),), task.target_column, dtype=torch.long))
    goal = torch.full((len(logits),), task.target_value)
    return F.binary_cross_entropy_with_logits(logits[:, task.target_column], goal)


def train_guided(generator, guide, task: EditTask, kind: str, image_size: int, source: torch.Tensor,
                 steps: int, batch_size: int, lr: float, seed: int, keep_weight: float = 0.0) -> AffineEdits:
    """LW's affine form trained through G on the guide's verdict (Adam, minibatches of sources),
    plus keep_weight times the pixel MSE to the unedited render: a judge-free pull toward the
    smallest edit that changes the target, so the rest of the image (and the person) may stay."""
    torch.manual_seed(seed)
    edit = AffineEdits(1, source.shape[1])
    optimizer = torch.optim.Adam(edit.parameters(), lr)
    net = getattr(guide, "net", guide)
    for _ in range(steps):
        codes = source[torch.randint(len(source), (batch_size,))]
        images = generator.synthesis(to_wplus(edit(codes, 0), generator.n_latent), randomize_noise=False)
        loss = guide_loss(net(resize(images.clamp(-1, 1), image_size)), task, kind)
        if keep_weight:
            with torch.no_grad():
                unedited = generator.synthesis(to_wplus(codes, generator.n_latent), randomize_noise=False)
            loss = loss + keep_weight * F.mse_loss(images, unedited)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return edit.requires_grad_(False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("overrides", nargs="*", default=["+experiment=lw_multidigits"])
    parser.add_argument("--steps", type=int, default=300, help="Adam steps per edit")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--guide-seed", type=int, default=1,
                        help="seed of the guide classifier's recipe (the judge is the zoo's, seed 0)")
    parser.add_argument("--codes", type=int, default=1000, help="held-out negatives per edit")
    parser.add_argument("--keep-weight", type=float, default=0.0,
                        help="weight of the pixel MSE to the unedited render (0: target change alone)")
    args = parser.parse_args(argv)
    print("$ python scripts/lw_guided_ceiling.py " + " ".join(sys.argv[1:] if argv is None else argv))
    out = ROOT / "outputs" / "lw_guided_ceiling"
    cfg, datamodule, judge = recipe_judge(args.overrides, out / "run")
    train, test = w_splits(datamodule)
    kind, generator = datamodule.label_spec.kind, datamodule.generator.requires_grad_(False)
    guide = instantiate(cfg.data.classifier, overrides=[*cfg.zoo_overrides, f"seed={args.guide_seed}"]).eval()
    guide.requires_grad_(False)
    name = cfg.get("experiment_name") or "recipe"
    report = out / (f"{name}-keep{args.keep_weight:g}" if args.keep_weight else name)
    report.mkdir(parents=True, exist_ok=True)
    rows = []
    for task in datamodule.tasks:
        source = codes_of(train, task.sources)
        start = time.perf_counter()
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
        save_image(torch.cat([before.images[:16], after.images[:16]]) * 0.5 + 0.5,
                   report / f"{task.name.replace('>', '')}.png", nrow=8)
        rows.append([task.name, str(len(source)), str(len(held_out)), f"{scores['target_change']:.3f}",
                     f"{float(by_guide):.3f}", *(f"{scores[k]:.3f}" if k in scores else "" for k in
                                                 ("preservation", "identity")),
                     f"{float(shift):.2f} / {float(spacing):.2f}", f"{seconds:.0f}"])
        print(" | ".join(rows[-1]), flush=True)
    table = markdown_table(["edit", "P- (train)", "held out", "target change (judge)", "target change (guide)",
                            "preservation", "identity", "median edit length / code spacing", "train s"], rows)
    (report / "table.md").write_text(f"Affine edits trained on a guide classifier (seed {args.guide_seed}), "
                                    f"{args.steps} steps, keep weight {args.keep_weight:g}, judged by the recipe's "
                                    f"classifier\n\n{table}\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

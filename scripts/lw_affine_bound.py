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

    python scripts/lw_affine_bound.py +experiment=lw_multidigits [--blur 0.5] [--codes 1000]

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
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geomloss import SamplesLoss  # noqa: E402
from hydra import compose, initialize_config_dir  # noqa: E402
from hydra.utils import instantiate  # noqa: E402

from ganlab.editing.affine import AffineEdits  # noqa: E402
from ganlab.evaluation.edit_scores import EditJudge  # noqa: E402
from ganlab.metrics.tables import markdown_table  # noqa: E402
from ganlab.runner.run import prepare  # noqa: E402

COLUMNS = ("target_change", "preservation", "identity")


def barycentric_targets(source: torch.Tensor, target: torch.Tensor, blur: float) -> torch.Tensor:
    """Each source code's mean target under the entropic OT plan (uniform weights, cost
    |x - y|^2 / 2, epsilon = blur^2): softmax_j((g_j - C_ij) / eps) . y, as the plan's rows
    normalised (the source potential cancels)."""
    ot = SamplesLoss("sinkhorn", p=2, blur=blur, scaling=0.9, debias=False, potentials=True,
                     backend="tensorized")
    _, g = ot(source, target)
    eps = blur**2
    cost = torch.cdist(source, target).square() / 2
    return torch.softmax((g.view(1, -1) - cost) / eps, dim=1) @ target


def fit_affine(source: torch.Tensor, goal: torch.Tensor) -> AffineEdits:
    """LW's edit (one task) whose map w -> w + A w + b is the least-squares fit onto goal."""
    ones = torch.ones(len(source), 1, dtype=source.dtype)
    solution = torch.linalg.lstsq(torch.cat([source, ones], 1).double(), (goal - source).double()).solution
    edit = AffineEdits(1, source.shape[1]).requires_grad_(False)
    edit.A[0].copy_(solution[:-1].T)
    edit.b[0].copy_(solution[-1])
    return edit


def affine_r2(source: torch.Tensor, goal: torch.Tensor, edit: AffineEdits) -> float:
    """Share of the plan's displacements (goal - source) beyond their mean that the fitted map
    explains: 1 when the plan is affine, 0 when the map does no better than a common shift."""
    with torch.no_grad():
        moves = goal - source
        residual = (goal - edit(source, 0)).square().sum()
    return float(1 - residual / (moves - moves.mean(0)).square().sum())


def _probe_set(negatives: torch.Tensor, positives: torch.Tensor, dtype: torch.dtype):
    """Standardised codes, labels (positives 1), class-balancing weights and the standardisation."""
    x = torch.cat([negatives, positives]).to(dtype)
    mean, std = x.mean(0), x.std(0).clamp_min(1e-8)
    y = torch.cat([torch.zeros(len(negatives)), torch.ones(len(positives))]).to(dtype)
    weight = torch.where(y > 0, len(y) / (2 * len(positives)), len(y) / (2 * len(negatives)))
    return (x - mean) / std, y, weight, lambda codes: (codes.to(dtype) - mean) / std


def _balanced_accuracy(logits, standardise, held_negatives: torch.Tensor, held_positives: torch.Tensor) -> float:
    with torch.no_grad():
        recalls = [((logits(standardise(held)) > 0) == label).double().mean()
                   for held, label in ((held_negatives, False), (held_positives, True))]
    return float(sum(recalls) / 2)


def linear_probe(negatives: torch.Tensor, positives: torch.Tensor, held_negatives: torch.Tensor,
                 held_positives: torch.Tensor, steps: int = 200) -> float:
    """Held-out balanced accuracy of a class-balanced logistic regression (L-BFGS on
    standardised codes, a small L2 penalty) separating negatives from positives."""
    x, y, weight, standardise = _probe_set(negatives, positives, torch.float64)
    coef = torch.zeros(x.shape[1] + 1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([coef], max_iter=steps, line_search_fn="strong_wolfe")

    def logits(codes: torch.Tensor) -> torch.Tensor:
        return codes @ coef[:-1] + coef[-1]

    def closure():
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(logits(x), y, weight) + 1e-4 * coef[:-1].square().sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return _balanced_accuracy(logits, standardise, held_negatives, held_positives)


def mlp_probe(negatives: torch.Tensor, positives: torch.Tensor, held_negatives: torch.Tensor,
              held_positives: torch.Tensor, steps: int = 400, seed: int = 0) -> float:
    """Held-out balanced accuracy of a class-balanced two-hidden-layer MLP (256 wide, Adam,
    minibatches of 512) on standardised codes."""
    torch.manual_seed(seed)
    x, y, weight, standardise = _probe_set(negatives, positives, torch.float32)
    net = nn.Sequential(nn.Linear(x.shape[1], 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))
    optimizer = torch.optim.Adam(net.parameters(), 1e-3, weight_decay=1e-4)
    for _ in range(steps):
        i = torch.randint(len(x), (512,))
        loss = F.binary_cross_entropy_with_logits(net(x[i]).squeeze(1), y[i], weight[i])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return _balanced_accuracy(lambda codes: net(codes).squeeze(1), standardise, held_negatives, held_positives)


def codes_of(split, members) -> torch.Tensor:
    """The split's codes whose labels `members` (a task's sources or targets) selects."""
    return split.codes[members(split.labels).nonzero().squeeze(1)]


def recipe_judge(overrides: list[str], run_dir: Path):
    """The recipe's config, its latent-code datamodule (codes built or loaded from the cache)
    and the judge its evaluation uses (image classifier, identity net), in eval mode."""
    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        cfg = compose("train", overrides=[*overrides, f"paths.output_dir={run_dir}", "logger=none"])
        cfg, datamodule = prepare(cfg)
        identity = instantiate(cfg.method.evaluate.identity) if cfg.method.evaluate.get("identity") else None
    for part in (datamodule.generator, datamodule.classifier, identity):
        if part is not None:
            part.eval()
    judge = EditJudge(datamodule.generator, datamodule.classifier, datamodule.label_spec.kind,
                      datamodule.image_size, identity=identity)
    return cfg, datamodule, judge


def w_splits(datamodule):
    """Train and test splits, refusing W+ codes (the affine maps here act on W [N, D])."""
    train, test = datamodule.split("train"), datamodule.split("test")
    if train.codes.ndim != 2:
        raise SystemExit(f"codes of shape {tuple(train.codes.shape[1:])}: this takes W codes [N, D] "
                         "(data.source=sample), not W+")
    return train, test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("overrides", nargs="*", default=["+experiment=lw_multidigits"])
    parser.add_argument("--blur", type=float, default=0.5, help="entropic blur of the full-set OT plan")
    parser.add_argument("--codes", type=int, default=1000, help="held-out negatives per edit")
    parser.add_argument("--alphas", type=int, default=10, help="strengths 1/n, ..., 1 (the tables' mean over alpha)")
    args = parser.parse_args(argv)
    print("$ python scripts/lw_affine_bound.py " + " ".join(sys.argv[1:] if argv is None else argv))
    out = ROOT / "outputs" / "lw_affine_bound"
    cfg, datamodule, judge = recipe_judge(args.overrides, out / "run")
    train, test = w_splits(datamodule)
    rows = []
    for task in datamodule.tasks:
        source, target = codes_of(train, task.sources), codes_of(train, task.targets)
        start = time.perf_counter()
        goal = barycentric_targets(source, target, args.blur)
        edit = fit_affine(source, goal)
        seconds = time.perf_counter() - start
        fit = f"{affine_r2(source, goal, edit):.3f}"
        held_sources, held_targets = codes_of(test, task.sources), codes_of(test, task.targets)
        probes = [f"{probe(source, target, held_sources, held_targets):.3f}" for probe in (linear_probe, mlp_probe)]
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
    (out / f"{name}.md").write_text(f"Affine fit to the full-set OT plan (blur {args.blur}), at alpha = 1 and the "
                                    f"mean over {args.alphas} strengths\n\n{table}\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

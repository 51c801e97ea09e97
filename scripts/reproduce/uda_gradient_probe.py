"""What the discrepancy does to UDA-inversion's trained part, in the authors' protocol (h'
one ascent step per batch, the branch one descent step on source loss + lambda * d),
measured on a trained recipe's training batches (source HQ, unpaired target LQ):

    python scripts/reproduce/uda_gradient_probe.py +experiment=uda_inversion seed=0 [--batches 25]

The recipe's stages come from the cache (trained first if absent). Per batch, with the
trained h' held fixed: the estimate d, h_hat' on each domain, and the gradient norms on the
trained parameters of the source loss and of lambda * d (and of d itself, so a lambda = 0 run
shows what the term would push), and the cosine between the two gradients. Prints the mean
(and std) over batches."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

from ganlab.runner.run import trained_stages


def flat(grads, params) -> torch.Tensor:
    return torch.cat([(g if g is not None else torch.zeros_like(p)).flatten() for g, p in zip(grads, params)])


def probe(module, batch) -> dict[str, float]:
    params = [p for p in module.trained.parameters() if p.requires_grad]
    source, target = module.invert(batch.source), module.invert(batch.target)
    reconstruction, _ = module.reconstruction_loss(batch.source, source)
    module.discrepancy.auxiliary.requires_grad_(False)
    h_source = module.discrepancy.scores(source.image)
    h_target = module.discrepancy.scores(target.image)
    d = h_source.mean() - (h_target * h_target / 4 + h_target).mean()
    g_rec = flat(torch.autograd.grad(reconstruction, params, retain_graph=True, allow_unused=True), params)
    g_d = flat(torch.autograd.grad(d, params, allow_unused=True), params)
    weight = module.discrepancy.weight
    return {"d": float(d.detach()), "h_src": float(h_source.detach().mean()),
            "h_trg": float(h_target.detach().mean()), "source_loss": float(reconstruction.detach()),
            "grad_source": float(g_rec.norm()),
            "grad_d": float(g_d.norm()), "grad_lambda_d": weight * float(g_d.norm()),
            "cosine": float(torch.nn.functional.cosine_similarity(g_rec, g_d, dim=0))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("overrides", nargs="*", default=["+experiment=uda_inversion"])
    parser.add_argument("--batches", type=int, default=25)
    args = parser.parse_args(argv)
    print("$ python scripts/reproduce/uda_gradient_probe.py " + " ".join(sys.argv[1:] if argv is None else argv))
    out = Path("outputs") / "probe" / time.strftime("%Y%m%d_%H%M%S")
    cfg, datamodule, modules = trained_stages(args.overrides, out)
    module = modules["encoder"]
    if not hasattr(module, "discrepancy"):
        raise SystemExit("the recipe's encoder stage has no discrepancy (UDA-inversion only)")
    module.train()
    datamodule.setup("fit")
    rows = []
    for index, batch in enumerate(datamodule.train_dataloader()):
        if index == args.batches:
            break
        rows.append(probe(module, datamodule.on_after_batch_transfer(batch, 0)))  # degrades the target half
    print(f"lambda = {module.discrepancy.weight}, trainable = {module.trainable}, {len(rows)} training batches")
    for key in rows[0]:
        values = [row[key] for row in rows]
        print(f"  {key:14s} {statistics.mean(values):.4g} +- {statistics.stdev(values) if len(values) > 1 else 0:.2g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

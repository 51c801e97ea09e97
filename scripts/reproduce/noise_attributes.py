"""How much of each attribute a StyleGAN2 generator draws from its noise inputs rather than
its codes: on generated samples (W on every layer), the share whose attribute classifier's
decision changes when only the noise maps are drawn again, with the code kept; first all of
them, then each layer's alone (the others kept). A code edit, and an encoder's code with the
fixed noise an inversion renders with, cannot reach what the noise decides.

    python scripts/reproduce/noise_attributes.py outputs/train/runs/<run> [--samples 1024]

Reads the run's generator (its `encoder_stage`, or --stage) and its evaluation's classifier."""

from __future__ import annotations

import argparse

import torch
from hydra.utils import instantiate
from omegaconf import OmegaConf
from torch import nn

from ganlab.data.resize import resize
from ganlab.nets.mode import evaluating
from ganlab.runner.run_folder import load_config, load_stage


@torch.no_grad()
def decision_changes(generator: nn.Module, classifier: nn.Module, samples: int, judge_size: int,
                     layers: list[int] | None = None, seed: int = 0, batch_size: int = 256) -> torch.Tensor:
    """[K] share of `samples` generated images whose classifier decision (logit > 0) on each of
    its K outputs changes when the noise of `layers` (None: every layer) is drawn again."""
    rng = torch.Generator().manual_seed(seed)
    device = generator.w_avg.device
    redrawn = range(generator.num_layers) if layers is None else layers
    changed = []
    for start in range(0, samples, batch_size):
        n = min(batch_size, samples - start)
        w = generator.style(torch.randn(n, generator.style_dim, generator=rng).to(device))
        wplus = w[:, None].expand(-1, generator.n_latent, -1)
        shapes = [(n, 1, generator.layer_resolution(i), generator.layer_resolution(i))
                  for i in range(generator.num_layers)]
        noise = [torch.randn(s, generator=rng).to(device) for s in shapes]
        other = [torch.randn(s, generator=rng).to(device) if i in redrawn else noise[i]
                 for i, s in enumerate(shapes)]
        first, second = (classifier(resize(generator.synthesis(wplus, noise=maps), judge_size)) > 0
                         for maps in (noise, other))
        changed.append((first != second).float())
    return torch.cat(changed).mean(0)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="a finished run folder whose evaluation has an attribute classifier")
    parser.add_argument("--stage", default=None, help="the stage whose generator is read (default: encoder_stage)")
    parser.add_argument("--samples", type=int, default=1024)
    args = parser.parse_args(argv)
    cfg = load_config(args.run)
    evaluate = OmegaConf.merge(cfg.method.evaluate, {"optimization": None, "hybrid_refiner": None})
    evaluation = instantiate(evaluate)
    generator = load_stage(args.run, args.stage or evaluate.get("encoder_stage")).generator
    classifier, labels = evaluation.classifier.eval(), list(evaluate.classifier_labels)
    rows = {"every layer": None, **{f"layer {i} ({generator.layer_resolution(i)} px)": [i]
                                    for i in range(generator.num_layers)}}
    table = {}
    print(f"| noise drawn again | {' | '.join(labels)} |\n|{'---|' * (len(labels) + 1)}")
    with evaluating(generator):
        for label, layers in rows.items():
            shares = decision_changes(generator, classifier, args.samples, evaluation.judge_size, layers)
            table[label] = dict(zip(labels, shares.tolist()))
            print(f"| {label} | " + " | ".join(f"{v:.3f}" for v in shares.tolist()) + " |")
    return table


if __name__ == "__main__":
    main()

"""How much of W a generator's images determine: the ceiling of an encoder's spread ratio.
Render n generated images G(w) (noise kept), then recover each code by optimisation in W,
from the mean code, on pixel MSE with the same noise; print, every 100 steps, the PSNR of
the re-rendering, R^2 of the recovered codes (1 - E|w_hat - w|^2 / E|w - mean w|^2) and at
the end their spread ratio (ganlab.metrics.code_spread). An encoder trained with a latent
loss regresses E[w | image], whose spread ratio is about its R^2: where the images
determine W (R^2 near 1), a low spread ratio is the encoder's, not the generator's.

    python scripts/reproduce/code_identifiability.py --generator stylegan2-synthfaces32 --steps 400 \
        [--override method.stages.stylegan2.module.pl_weight=0.0]
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F

from ganlab.metrics.code_spread import code_r_squared, code_spread, sampled_codes
from ganlab.metrics.reconstruction import psnr
from ganlab.pretrained import pretrained_generator


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generator", default="stylegan2-synthfaces32", help="zoo StyleGAN2")
    parser.add_argument("--override", nargs="*", default=[], help="the zoo generator's recipe overrides")
    parser.add_argument("--images", type=int, default=128)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args(argv)
    g = pretrained_generator(args.generator, overrides=args.override).requires_grad_(False).eval()
    w = g.style(torch.randn(args.images, g.style_dim, generator=torch.Generator().manual_seed(1)))
    sizes = [g.layer_resolution(i) for i in range(g.num_layers)]
    noise = [torch.randn(args.images, 1, r, r, generator=torch.Generator().manual_seed(2 + i))
             for i, r in enumerate(sizes)]

    def render(codes: torch.Tensor) -> torch.Tensor:
        return g.synthesis(codes[:, None].expand(-1, g.n_latent, -1), noise=noise)

    with torch.no_grad():
        images = render(w)
    estimate = g.w_avg.detach().view(1, -1).repeat(args.images, 1).requires_grad_(True)
    optimizer = torch.optim.Adam([estimate], lr=args.lr)
    # constant rate, then a linear decay over the last quarter
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (args.steps - s) / (0.25 * args.steps)))
    out = {}
    for step in range(args.steps):
        loss = F.mse_loss(render(estimate), images)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if (step + 1) % 100 == 0 or step + 1 == args.steps:
            with torch.no_grad():
                out = {"step": step + 1, "psnr": float(psnr(render(estimate), images)),
                       "r2": code_r_squared(estimate.detach(), w)}
            print(" ".join(f"{k} {v:.4g}" for k, v in out.items()), flush=True)
    spread = code_spread(estimate.detach()[:, None].expand(-1, g.n_latent, -1), sampled_codes(g), g.w_avg)
    out["spread_ratio"] = spread["spread_ratio"]
    print(f"spread_ratio {out['spread_ratio']:.4g}")
    return out


if __name__ == "__main__":
    main()

"""How fast a bare encoder leaves the mean code: train pSp or HFGI alone (l2 + 0.8 LPIPS on
a random AlexNet, batch 8, Ranger or Adam) on synthfaces training images for a few hundred
steps, then print the spread ratio of its codes on 128 test images
(ganlab.metrics.code_spread), the mean per-image reconstruction PSNR (fused and base code
for HFGI) and, with a latent loss, R^2 of its codes of 256 held-out generated images
(1 - E|E(G(w)) - w|^2 / E|w - mean w|^2).

    GANLAB_CACHE=... python scripts/reproduce/encoder_collapse_probe.py --encoder psp --steps 150 --lr 1e-3 \\
        [--init default] [--latent 1.0] [--latent-batch 16] [--no-image-loss] [--optimizer adam] [--fpn-width 64]

--init default re-draws the convs with PyTorch's default init (what the encoders had before
they were He-initialised); --latent adds loss.synthetic's latent loss on --latent-batch
generated images; --no-image-loss trains on that latent loss alone; --fpn-width sets the
pyramid's and style heads' width (default: pSp's, the generator's style size, as the recipes)."""

from __future__ import annotations

import argparse
import time

import pytorch_optimizer
import torch
import torch.nn.functional as F
from torch import nn

from ganlab.data.synthfaces import SynthFacesDataModule
from ganlab.losses.synthetic_codes import SyntheticCodeLoss
from ganlab.metrics.code_spread import code_r_squared, code_spread, sampled_codes
from ganlab.metrics.reconstruction import psnr
from ganlab.nets.inverters.hfgi import HFGIEncoder
from ganlab.nets.inverters.psp import PSPEncoder
from ganlab.nets.perceptual import LPIPS
from ganlab.pretrained import pretrained_generator


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--encoder", choices=("psp", "hfgi"), default="psp")
    parser.add_argument("--generator", default="stylegan2-synthfaces32", help="zoo StyleGAN2")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--init", choices=("he", "default"), default="he")
    parser.add_argument("--latent", type=float, default=0.0, help="weight of the latent loss (0: none)")
    parser.add_argument("--latent-batch", type=int, default=16, help="generated images per step of the latent loss")
    parser.add_argument("--no-image-loss", action="store_true", help="train on the latent loss alone")
    parser.add_argument("--optimizer", choices=("ranger", "adam"), default="ranger")
    parser.add_argument("--fpn-width", type=int, help="the pyramid and style heads' width (default: the style size)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    g = pretrained_generator(args.generator, overrides=[]).requires_grad_(False).eval()
    data = SynthFacesDataModule(num_images=20000)
    data.setup()
    train_x = data.split("train")[torch.arange(8000)][0]
    test_x = data.split("test")[torch.arange(128)][0]
    encoder = (HFGIEncoder if args.encoder == "hfgi" else PSPEncoder)(g, fpn_width=args.fpn_width)
    if args.init == "default":
        for layer in encoder.modules():
            if isinstance(layer, nn.Conv2d) and layer.weight.abs().sum() > 0:  # zero-started outputs stay zero
                layer.reset_parameters()
    lpips = LPIPS("none")
    if args.no_image_loss and args.latent <= 0:
        parser.error("--no-image-loss needs a latent loss (--latent > 0)")
    latent = SyntheticCodeLoss(args.latent, batch_size=args.latent_batch) if args.latent > 0 else None
    optimizer = (torch.optim.Adam if args.optimizer == "adam" else pytorch_optimizer.Ranger)(
        encoder.parameters(), lr=args.lr)
    draw = torch.Generator().manual_seed(0)
    start = time.time()
    for _ in range(args.steps):
        x = train_x[torch.randint(len(train_x), (8,), generator=draw)]
        loss = torch.zeros(())
        if not args.no_image_loss:
            inversion = encoder(x, g)
            loss = sum(F.mse_loss(image, x) + 0.8 * lpips(image, x).mean()
                       for image in (inversion.image, inversion.base_image) if image is not None)
        if latent is not None:
            loss = loss + latent(encoder, g)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    encoder.eval()
    with torch.no_grad():
        inversion = encoder(test_x, g)
    spread = code_spread(inversion.wplus, sampled_codes(g), g.w_avg)
    out = {"spread_ratio": spread["spread_ratio"], "spread_ratio_min": spread["spread_ratio_min"],
           "psnr": float(psnr(inversion.image, test_x)), "seconds": time.time() - start}
    if inversion.base_image is not None:
        out["psnr_base"] = float(psnr(inversion.base_image, test_x))
    if latent is not None:
        w, images = SyntheticCodeLoss(1.0, batch_size=256, seed=99).sample(g, encoder.image_size)
        with torch.no_grad():
            out["r2_generated"] = code_r_squared(encoder.encode(images, g), w)
    print(" ".join(f"{k} {v:.4g}" for k, v in out.items()))
    return out


if __name__ == "__main__":
    main()

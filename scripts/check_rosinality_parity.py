"""Does ganlab's StyleGAN2 give the same images (and discriminator logits) as
rosinality/stylegan2-pytorch for the same weights, latents and noise?

    python scripts/check_rosinality_parity.py --rosinality PATH/TO/stylegan2-pytorch [--size 32]
        [--channel-multiplier 2] [--style-dim 64] [--n-mlp 2] [--batch 4] [--double] [--unfused] [--tolerance 1e-4]

PATH is a local checkout of https://github.com/rosinality/stylegan2-pytorch (its model.py and
op/); nothing of it is copied here. Its `op` package JIT-compiles CUDA kernels at import: this
script replaces torch.utils.cpp_extension.load with a stub first, so rosinality's own CPU
code paths (upfirdn2d_native, the native fused leaky ReLU, plain F.conv2d) run instead.

Builds ganlab's Generator and Discriminator with random weights (noise strengths and biases
made non-zero so those paths count), loads their state dicts into rosinality's models with
strict=True (and back), and compares outputs for: Z input, W+ input, truncation, style mixing at a fixed
layer, the stored noise buffers, and D logits plus their input gradient (what R1 uses).
A control nudges one rosinality weight to show the comparison can see a difference. Prints the
max absolute differences; exits 1 if any exceeds --tolerance.
"""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import sys
from pathlib import Path

import torch
import torch.utils.cpp_extension

from ganlab.nets.stylegan2 import Discriminator, Generator


class _NoCompiledOps:
    """Stands in for rosinality's compiled `fused` / `upfirdn2d_op` modules: only their CUDA
    paths use them, and reaching one is an error, not a silent fallback."""

    def __init__(self, name: str):
        self.name = name

    def __getattr__(self, attr):
        raise RuntimeError(f"rosinality's compiled op {self.name}.{attr} was called, but compiling is stubbed "
                           f"out: run the parity check on CPU tensors")


def import_rosinality(checkout: Path):
    if not (checkout / "model.py").is_file() or not (checkout / "op").is_dir():
        raise SystemExit(f"--rosinality {checkout}: expected a stylegan2-pytorch checkout with model.py and op/")
    torch.utils.cpp_extension.load = lambda name, *args, **kwargs: _NoCompiledOps(name)
    # model.py imports the checkout's `op` package by its top-level name: register it from its
    # folder (not by putting the checkout on sys.path, where its other modules would shadow ours)
    _import_file("op", checkout / "op" / "__init__.py", package=True)
    return _import_file("rosinality_model", checkout / "model.py")


def _import_file(name: str, path: Path, package: bool = False):
    spec = importlib.util.spec_from_file_location(name, path,
                                                  submodule_search_locations=[str(path.parent)] if package else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def randomize_zero_inits(module: torch.nn.Module, seed: int) -> None:
    """Fresh StyleGAN2s start with zero noise strengths and biases; make them matter."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("noise.weight") or name.endswith("bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)


def max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max())


def compare(args) -> list[tuple[str, float, float]]:
    ros = import_rosinality(Path(args.rosinality))
    dtype = torch.float64 if args.double else torch.float32
    torch.manual_seed(args.seed)
    ours = Generator(args.size, style_dim=args.style_dim, n_mlp=args.n_mlp, channel_multiplier=args.channel_multiplier,
                     fused_modconv=not args.unfused)
    randomize_zero_inits(ours, args.seed)
    theirs = ros.Generator(args.size, args.style_dim, args.n_mlp, channel_multiplier=args.channel_multiplier)
    theirs.load_state_dict(ours.state_dict(), strict=True)
    ours.load_state_dict(theirs.state_dict(), strict=True)  # and back: the same key layout both ways
    ours, theirs = ours.to(dtype).eval(), theirs.to(dtype).eval()

    b, d = args.batch, args.style_dim
    g = torch.Generator().manual_seed(args.seed + 1)
    z, z2 = torch.randn(b, d, generator=g, dtype=dtype), torch.randn(b, d, generator=g, dtype=dtype)
    wplus = torch.randn(b, ours.n_latent, d, generator=g, dtype=dtype)
    noise = [torch.randn(b, 1, n.shape[-2], n.shape[-1], generator=g, dtype=dtype) for n in ours.make_noise()]
    mean_w = ours.style(torch.randn(1000, d, generator=g, dtype=dtype)).mean(0, keepdim=True)
    cases = {
        "Z, given noise": dict(styles=[z], noise=noise),
        "W+ (input_is_latent), given noise": dict(styles=[wplus], input_is_latent=True, noise=noise),
        "Z, truncation 0.7, given noise": dict(styles=[z], truncation=0.7, truncation_latent=mean_w, noise=noise),
        "style mixing at layer 3, given noise": dict(styles=[z, z2], inject_index=3, noise=noise),
        "Z, stored noise buffers": dict(styles=[z], randomize_noise=False),
    }
    rows = []
    with torch.no_grad():
        for name, kw in cases.items():
            a, _ = ours(**kw)
            c, _ = theirs(**kw)
            rows.append((f"G {name}", max_diff(a, c), float(c.abs().max())))
        # Control: the comparison must see a small change in rosinality's weights.
        theirs.conv1.conv.weight.add_(1e-3)
        control = max_diff(ours(**cases["Z, given noise"])[0], theirs(**cases["Z, given noise"])[0])
        theirs.conv1.conv.weight.sub_(1e-3)

    torch.manual_seed(args.seed + 2)
    d_ours = Discriminator(args.size, channel_multiplier=args.channel_multiplier)
    randomize_zero_inits(d_ours, args.seed + 2)
    d_theirs = ros.Discriminator(args.size, channel_multiplier=args.channel_multiplier)
    d_theirs.load_state_dict(d_ours.state_dict(), strict=True)
    d_ours, d_theirs = d_ours.to(dtype).eval(), d_theirs.to(dtype).eval()
    images = torch.randn(b, 3, args.size, args.size, generator=g, dtype=dtype)
    grads = []
    for net in (d_ours, d_theirs):
        x = images.clone().requires_grad_()
        logits = net(x)
        (grad,) = torch.autograd.grad(logits.sum(), x)  # what R1 differentiates
        grads.append((logits.detach(), grad))
    rows.append(("D logits", max_diff(grads[0][0], grads[1][0]), float(grads[1][0].abs().max())))
    rows.append(("D input gradient", max_diff(grads[0][1], grads[1][1]), float(grads[1][1].abs().max())))
    print(f"rosinality's model: {ros.__file__}; control (its conv1 weight + 1e-3): G differs by {control:.3e}")
    if control == 0:
        raise SystemExit("the control shows no difference: the comparison is broken")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rosinality", required=True, help="path to a rosinality/stylegan2-pytorch checkout")
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--channel-multiplier", type=int, default=2)
    ap.add_argument("--style-dim", type=int, default=64)
    ap.add_argument("--n-mlp", type=int, default=2)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--double", action="store_true", help="compare in float64 (isolates maths from rounding)")
    ap.add_argument("--unfused", action="store_true", help="ganlab's fused_modconv=False path (modulate activations)")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()
    print("$ python scripts/check_rosinality_parity.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]))
    rows = compare(args)
    print(f"\nsize {args.size}, channel multiplier {args.channel_multiplier}, style_dim {args.style_dim}, "
          f"n_mlp {args.n_mlp}, batch {args.batch}, {'float64' if args.double else 'float32'}, "
          f"ganlab modconv {'unfused' if args.unfused else 'fused (grouped)'}\n")
    print("| output | max abs difference | max abs value (rosinality) |")
    print("|---|---|---|")
    for name, diff, scale in rows:
        print(f"| {name} | {diff:.3e} | {scale:.3e} |")
    worst = max(diff for _, diff, _ in rows)
    print(f"\n{'PASS' if worst <= args.tolerance else 'FAIL'}: largest difference {worst:.3e} "
          f"(tolerance {args.tolerance:g})")
    sys.exit(0 if worst <= args.tolerance else 1)


if __name__ == "__main__":
    main()

"""Speed and memory of LW training (ganlab.methods.editors.lw) on synthetic latent codes.

    python scripts/bench_lw.py [--codes 10000] [--dim 512] [--positive 0.4] [--repeats 3]
                               [--blur 0.05] [--scaling 0.5] [--disentangle] [--device cpu]
                               [--memory-sizes 500 1000 2000] [--budget-gib 24]

1. One LW epoch over `--codes` codes of dimension `--dim` (a share `--positive` of them in
   P+, the rest in P-), batches by the paper's rule (min(|P-|, |P+|)), with the GeomLoss
   backends that can run here (tensorized always; online / multiscale need pykeops), the
   batch capped by `--max-batch-size` if given (the embedded recipes cap it at 512):
   seconds per epoch (median of repeats), codes/s, steps, batch size.
2. Peak memory of one LW step (loss + backward; with --disentangle both Sinkhorn terms) with
   the tensorized backend at a few batch sizes, each in a fresh process (CPU: growth of the
   resident size, sampled every ms; CUDA: max allocated), fitted as a + b N^2 + c N D and
   extrapolated to the batch sizes the paper's rule gives on CelebA-HQ-sized sets (30k
   codes: up to 15k per side), W (512) and W+ (18 x 512) codes, against `--budget-gib`.
   The chosen backend is the tensorized one where that fits.

Codes: N(0, I) negatives and N(0.5, I) positives (the scale of StyleGAN2's W space)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

import torch

from ganlab.data.latents import LatentCodes
from ganlab.losses.sinkhorn import SinkhornDivergence
from ganlab.methods.editors.latent_classifier import LatentClassifier
from ganlab.methods.editors.lw import LatentWasserstein, PairPlan


class Codes:
    """The slice of a latent-code datamodule LW's batching reads."""

    def __init__(self, n: int, dim: int, positive: float, seed: int = 0):
        g = torch.Generator().manual_seed(seed)
        labels = (torch.rand(n, 1, generator=g) < positive).float()
        codes = torch.randn(n, dim, generator=g) + 0.5 * labels
        self.data = LatentCodes(codes, labels, labels)

    def split(self, name):
        return self.data

    def labels(self, name):
        return self.data.labels


def build(dim: int, blur: float, scaling: float, backend: str, disentangle: bool, device: str,
          max_batch_size: int | None = None) -> LatentWasserstein:
    classifier = LatentClassifier(dim, 1, 1, "binary", optimizer=None, hidden=[512, 256])
    lw = LatentWasserstein(["a"], ["a"], "binary", dim, optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
                           sinkhorn=SinkhornDivergence(blur, scaling, backend),
                           attribute_sinkhorn=SinkhornDivergence(blur, scaling, backend),
                           disentangle_weight=1.0 if disentangle else 0.0, max_batch_size=max_batch_size,
                           latent_classifier=classifier)
    return lw.to(device)


def epoch_seconds(args, backend: str) -> tuple[float, int, int]:
    lw = build(args.dim, args.blur, args.scaling, backend, args.disentangle, args.device, args.max_batch_size)
    plan = PairPlan(lw, Codes(args.codes, args.dim, args.positive), "train", shuffle=True)
    opt = lw.configure_optimizers()
    times, steps, batch = [], 0, 0
    for _ in range(args.repeats):
        start = time.perf_counter()
        steps = 0
        for b in plan:
            loss, _ = lw.objective(0, b["source"].to(args.device), b["weights"].to(args.device),
                                   b["target"].to(args.device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            steps, batch = steps + 1, max(batch, len(b["source"]), len(b["target"]))
        if args.device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times), steps, batch


def one_step_memory(n: int, dim: int, blur: float, scaling: float, device: str, disentangle: bool) -> float:
    """Peak bytes of one LW step (loss, backward) on n sources and n targets, tensorized
    backend (this process)."""
    lw = build(dim, blur, scaling, "tensorized", disentangle, device)
    x, y = torch.randn(n, dim, device=device), torch.randn(n, dim, device=device) + 0.5
    weights = torch.full((n,), 1.0 / n, device=device)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        lw.objective(0, x, weights, y)[0].backward()
        return torch.cuda.max_memory_allocated() - base
    base, peak, running = _rss(), [0], [True]

    def watch():  # the peak resident size while the step runs, sampled every millisecond
        while running[0]:
            peak[0] = max(peak[0], _rss())
            time.sleep(0.001)

    thread = threading.Thread(target=watch)
    thread.start()
    lw.objective(0, x, weights, y)[0].backward()
    running[0] = False
    thread.join()
    return max(peak[0], _rss()) - base


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measured_memory(n: int, args) -> float:
    """One step's peak memory at batch size n, measured in a fresh process (this script again)."""
    command = [sys.executable, __file__, "--one-step-memory", str(n), "--dim", str(args.dim), "--blur", str(args.blur),
               "--scaling", str(args.scaling), "--device", args.device, "--threads", str(torch.get_num_threads()),
               *(["--disentangle"] if args.disentangle else [])]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def fit_memory(sizes: list[int], peaks: list[float], dim: int) -> torch.Tensor:
    """Non-negative least squares of peak = a + b N^2 + c N D (bytes): resident-size peaks are
    noisy (the allocator reuses pages), and a plain fit can give a negative term that then
    predicts negative memory at large D."""
    from scipy.optimize import nnls

    a = [[1.0, n * n, n * dim] for n in sizes]
    return torch.tensor(nnls(a, list(peaks))[0], dtype=torch.float64)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codes", type=int, default=10000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--positive", type=float, default=0.4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--blur", type=float, default=0.05)
    parser.add_argument("--scaling", type=float, default=0.5)
    parser.add_argument("--disentangle", action="store_true", help="add the attribute-space loss (lambda = 1)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--max-batch-size", type=int, default=None,
                        help="cap the paper's batch rule (the CPU recipes use 512)")
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[1000, 2000, 4000, 6000])
    parser.add_argument("--budget-gib", type=float, default=24.0)
    # what measured_memory runs in a fresh process: one step's peak memory at this batch size
    parser.add_argument("--one-step-memory", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_step_memory is not None:
        torch.set_num_threads(args.threads or torch.get_num_threads())
        print(one_step_memory(args.one_step_memory, args.dim, args.blur, args.scaling, args.device, args.disentangle))
        return
    print("command: python scripts/bench_lw.py " + " ".join(sys.argv[1:]))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}")

    results = {}
    for backend in ("tensorized", "online", "multiscale"):
        try:
            seconds, steps, batch = epoch_seconds(args, backend)
        except ImportError as e:
            print(f"  {backend:<11} unavailable: {str(e).split(';')[0]}")
            continue
        results[backend] = seconds
        print(f"  {backend:<11} one epoch over {args.codes} codes (dim {args.dim}): {seconds:.2f} s "
              f"(median of {args.repeats}), {args.codes / seconds:.0f} codes/s, {steps} steps, batch {batch}")

    if args.memory_sizes:
        peaks = [measured_memory(n, args) for n in args.memory_sizes]
        for n, p in zip(args.memory_sizes, peaks):
            print(f"  tensorized peak memory, one LW step at N = M = {n}, D = {args.dim}: {p / 2**20:.0f} MiB")
        coef = fit_memory(args.memory_sizes, peaks, args.dim)
        per_entry = float(coef[1])
        print(f"  fit: {per_entry:.1f} bytes per N^2 entry (one float32 N x N matrix is 4)")
        budget = args.budget_gib * 2**30
        verdicts = {}
        for n, d in ((5000, 512), (10000, 512), (15000, 512), (15000, 18 * 512)):
            predicted = float(coef[0] + coef[1] * n * n + coef[2] * n * d)
            verdicts[f"{n}x{d}"] = predicted
            fits = "fits" if predicted < budget else "does NOT fit"
            print(f"  predicted peak at batch {n} (dim {d}): {predicted / 2**30:.1f} GiB -> {fits} in "
                  f"{args.budget_gib:g} GiB")
        worst = max(verdicts.values())
        choice = "tensorized" if worst < budget else "online (KeOps) for batches above the fit"
        print(f"  chosen backend: {choice}")
        results["memory_fit_bytes"] = [float(c) for c in coef]
    print(json.dumps({k: v for k, v in results.items()}, default=float))


if __name__ == "__main__":
    main()

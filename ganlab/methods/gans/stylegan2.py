"""StyleGAN2 training (Karras et al. 2020, rosinality's train.py, ADA-free): non-saturating
logistic loss, lazy R1 on real images, optional lazy path-length regularisation, per-sample
style mixing, an EMA generator `g_ema` and the tracked mean of W (`latent_avg`) for truncation.

Every random draw of a step (z, mixing cut-offs, noise maps, path-length probes) comes from
ganlab/randomness.py's step_generator, so a resumed run matches an uninterrupted one."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytorch_lightning as pl
import torch
import torch.nn.functional as F

from ganlab.distributed import global_mean, rank_and_world
from ganlab.nets.mode import evaluating
from ganlab.nets.stylegan2 import Discriminator, Generator, save_rosinality
from ganlab.randomness import rand, randint, randn, step_generator
from ganlab.reports.grid import Grid

ROSINALITY_FILE = "stylegan2-rosinality.pt"  # written into the run folder after training


class StyleGAN2(pl.LightningModule):
    def __init__(self, generator: Generator, discriminator: Discriminator, optimizer_g, optimizer_d,
                 r1_gamma: float = 10.0, r1_interval: int = 16, pl_weight: float = 0.0, pl_interval: int = 4,
                 pl_batch_shrink: int = 2, pl_decay: float = 0.01, mixing_prob: float = 0.9,
                 ema_half_life_kimg: float = 10.0, ema_rampup: float | None = None, w_avg_beta: float = 0.995,
                 seed: int = 0, grid_rows: int = 8):
        super().__init__()
        if generator.img_channels != discriminator.img_channels or generator.size != discriminator.size:
            raise ValueError(f"generator ({generator.size} px, {generator.img_channels} ch) and discriminator "
                             f"({discriminator.size} px, {discriminator.img_channels} ch) do not match")
        if r1_interval < 1 or pl_interval < 1 or pl_batch_shrink < 1:
            raise ValueError("r1_interval, pl_interval and pl_batch_shrink must be >= 1")
        if not 0 <= mixing_prob <= 1:
            raise ValueError(f"mixing_prob must be in [0, 1], got {mixing_prob}")
        self.automatic_optimization = False
        self.g, self.d = generator, discriminator
        self.g_ema = copy.deepcopy(generator).eval().requires_grad_(False)
        self.optimizer_g, self.optimizer_d = optimizer_g, optimizer_d
        self.r1_gamma, self.r1_interval = r1_gamma, r1_interval
        self.pl_weight, self.pl_interval, self.pl_batch_shrink, self.pl_decay = (
            pl_weight, pl_interval, pl_batch_shrink, pl_decay)
        self.mixing_prob = mixing_prob
        self.ema_half_life_kimg, self.ema_rampup, self.w_avg_beta = ema_half_life_kimg, ema_rampup, w_avg_beta
        self.seed, self.grid_rows = seed, grid_rows
        # Persistent (unlike Generator.w_avg) so module files and checkpoints keep them.
        self.register_buffer("latent_avg", torch.zeros(generator.style_dim))
        self.register_buffer("mean_path_length", torch.zeros(()))
        self.register_buffer("batches_seen", torch.zeros((), dtype=torch.long))
        self.register_buffer("images_seen", torch.zeros((), dtype=torch.long))
        self.register_load_state_dict_post_hook(_share_latent_avg_after_load)  # a function: DDP spawn pickles it

    # ------------------------------------------------------------------ setup
    def on_fit_start(self) -> None:
        data = self.trainer.datamodule
        if data is not None and (data.channels != self.g.img_channels or data.image_size != self.g.size):
            raise ValueError(f"the data has {data.channels}-channel {data.image_size} px images; the generator makes "
                             f"{self.g.img_channels}-channel {self.g.size} px ones (generator.img_channels / size)")

    def configure_optimizers(self):
        regularised_g = self.pl_interval if self.pl_weight > 0 else None
        regularised_d = self.r1_interval if self.r1_gamma > 0 else None
        return [_lazy_regularisation(self.optimizer_g(self.g.parameters()), regularised_g),
                _lazy_regularisation(self.optimizer_d(self.d.parameters()), regularised_d)]

    # --------------------------------------------------------------- latents
    def _noise(self, n: int, rng: torch.Generator) -> list[torch.Tensor]:
        res = [self.g.layer_resolution(i) for i in range(self.g.num_layers)]
        return [randn((n, 1, r, r), rng, self.device) for r in res]

    def _latents(self, n: int, rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """(W+ [n, n_latent, D] with per-sample style mixing, the unmixed W [n, D])."""
        z = randn((2, n, self.g.style_dim), rng, self.device, batch_dim=1)
        cut = randint(self.g.n_latent, n, rng, "cpu", low=1)
        mixed = rand((n,), rng, "cpu") < self.mixing_prob
        if not mixed.any():
            w = self.g.style(z[0])
            return w.unsqueeze(1).expand(-1, self.g.n_latent, -1), w
        w = self.g.style(z.flatten(0, 1)).view(2, n, -1)
        cut = torch.where(mixed, cut, torch.full_like(cut, self.g.n_latent)).to(self.device)
        second = torch.arange(self.g.n_latent, device=self.device)[None] >= cut[:, None]  # [n, n_latent]
        return torch.where(second[..., None], w[1][:, None], w[0][:, None]), w[0]

    def _generate(self, n: int, rng: torch.Generator):
        wplus, w = self._latents(n, rng)
        return self.g.synthesis(wplus, noise=self._noise(n, rng)), wplus, w

    # -------------------------------------------------------------- training
    def training_step(self, batch, batch_idx):
        real = batch[0]
        n, step = real.shape[0], int(self.batches_seen)
        opt_g, opt_d = self.optimizers()
        rng = step_generator(self.seed, self.current_epoch, batch_idx)
        logs = {}

        self.g.requires_grad_(False)
        self.d.requires_grad_(True)
        fake, _, _ = self._generate(n, rng)
        d_real, d_fake = self.d(real), self.d(fake)
        loss_d = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
        self._step(opt_d, loss_d)
        logs.update({"train/loss_d": loss_d, "train/d_real": torch.sigmoid(d_real).mean(),
                     "train/d_fake": torch.sigmoid(d_fake).mean()})
        if self.r1_gamma > 0 and step % self.r1_interval == 0:
            logs["train/loss_r1"] = self._r1_step(real, opt_d)

        self.g.requires_grad_(True)
        self.d.requires_grad_(False)
        fake, _, w = self._generate(n, rng)
        loss_g = F.softplus(-self.d(fake)).mean()
        self._step(opt_g, loss_g)
        logs["train/loss_g"] = loss_g
        if self.pl_weight > 0 and step % self.pl_interval == 0:
            logs["train/loss_path"] = self._path_length_step(max(1, n // self.pl_batch_shrink), rng, opt_g)

        self._track(w.detach(), n)
        self.log_dict(logs, prog_bar=True, on_step=True, on_epoch=True)
        return loss_d + loss_g

    def _step(self, opt, loss: torch.Tensor) -> None:
        opt.zero_grad(set_to_none=True)
        self.manual_backward(loss)
        opt.step()

    def _r1_step(self, real: torch.Tensor, opt_d) -> torch.Tensor:
        """Lazy R1: gamma/2 * E|grad_x D(x)|^2 on real images, every r1_interval steps, scaled
        by the interval so its average strength stays gamma/2."""
        real = real.detach().requires_grad_(True)
        d_real = self.d(real)
        (grad,) = torch.autograd.grad(d_real.sum(), real, create_graph=True)
        penalty = grad.pow(2).flatten(1).sum(1).mean()
        self._step(opt_d, self.r1_gamma / 2 * penalty * self.r1_interval + 0 * d_real[0, 0])
        return penalty.detach()

    def _path_length_step(self, n: int, rng: torch.Generator, opt_g) -> torch.Tensor:
        """Path-length regulariser: |J_w^T y| for image-space probes y ~ N(0, I)/sqrt(HW)
        should stay near its running mean (a smoother, better-conditioned W -> image map)."""
        fake, wplus, _ = self._generate(n, rng)
        probe = randn(fake.shape, rng, self.device) / math.sqrt(fake.shape[2] * fake.shape[3])
        (grad,) = torch.autograd.grad((fake * probe).sum(), wplus, create_graph=True)
        lengths = grad.pow(2).sum(2).mean(1).sqrt()
        target = self.mean_path_length.lerp(global_mean(lengths.mean().detach()), self.pl_decay)
        penalty = (lengths - target).pow(2).mean()
        self._step(opt_g, self.pl_weight * self.pl_interval * penalty + 0 * fake[0, 0, 0, 0])
        self.mean_path_length.copy_(target)
        return penalty.detach()

    @torch.no_grad()
    def _track(self, w: torch.Tensor, n: int) -> None:
        """EMA generator (half-life in thousands of images, optionally ramped up with the
        images seen) and the running mean of W, both over the global batch under DDP."""
        n = n * rank_and_world()[1]
        self.images_seen += n
        half_life = self.ema_half_life_kimg * 1000
        if self.ema_rampup is not None:
            half_life = min(half_life, float(self.images_seen) * self.ema_rampup)
        decay = 0.5 ** (n / max(half_life, 1e-8))
        ema, live = list(self.g_ema.parameters()), list(self.g.parameters())
        torch._foreach_lerp_(ema, live, 1 - decay)
        for b_ema, b in zip(self.g_ema.buffers(), self.g.buffers()):
            b_ema.copy_(b)
        mean = global_mean(w.mean(0))
        self.latent_avg.copy_(mean if int(self.batches_seen) == 0 else mean.lerp(self.latent_avg, self.w_avg_beta))
        self.batches_seen += 1
        self._share_latent_avg()

    def _share_latent_avg(self) -> None:
        if int(self.batches_seen) > 0:
            self.g_ema.set_w_avg(self.latent_avg)
            self.g.set_w_avg(self.latent_avg)

    def on_train_end(self) -> None:
        if self.trainer.is_global_zero:
            self.export_rosinality(Path(self.trainer.default_root_dir) / ROSINALITY_FILE)

    def export_rosinality(self, path: str | Path) -> Path:
        """g_ema, g, d and latent_avg in rosinality's checkpoint layout (other tools load it)."""
        return save_rosinality(path, self.g_ema, self.g, self.d, latent_avg=self.latent_avg)

    # -------------------------------------------------------------- sampling
    @torch.no_grad()
    def sample(self, n: int, seed: int = 0, truncation: float = 1.0, batch_size: int = 256) -> torch.Tensor:
        """n images in [-1, 1] from g_ema, with noise maps drawn from `seed` too; truncation
        psi < 1 pulls W towards latent_avg."""
        if truncation < 1 and int(self.batches_seen) == 0:
            raise RuntimeError("truncation < 1 needs latent_avg: train the model or load its weights first")
        rng = torch.Generator().manual_seed(seed)
        z = randn((n, self.g.style_dim), rng, self.device)
        noise = self._noise(n, rng)
        images = []
        with evaluating(self.g_ema):
            for i in range(0, n, batch_size):
                w = self.g_ema.style(z[i : i + batch_size])
                if truncation < 1:
                    w = self.latent_avg.lerp(w, truncation)
                wplus = w.unsqueeze(1).expand(-1, self.g_ema.n_latent, -1)
                images.append(self.g_ema.synthesis(wplus, noise=[m[i : i + batch_size] for m in noise]))
        return torch.cat(images).clamp(-1, 1)

    def sample_grid(self) -> tuple[Grid, str]:
        cols = 8
        return Grid(self.sample(self.grid_rows * cols, seed=self.seed), cols), f"samples (seed {self.seed})"


def _lazy_regularisation(optimizer: torch.optim.Optimizer, interval: int | None) -> torch.optim.Optimizer:
    """A regulariser applied every `interval` steps adds optimiser steps; StyleGAN2 shrinks
    lr and Adam's betas by c = interval / (interval + 1) so the main loss sees the same
    effective schedule."""
    if interval is None:
        return optimizer
    c = interval / (interval + 1)
    for group in optimizer.param_groups:
        group["lr"] *= c
        if "betas" in group:
            group["betas"] = tuple(b**c for b in group["betas"])
    return optimizer


def _share_latent_avg_after_load(module: StyleGAN2, _keys) -> None:
    module._share_latent_avg()

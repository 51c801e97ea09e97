"""e4e's adversarial loss in W (Tov et al. 2021, sec. 3.3; the authors' training code for the
details): a latent discriminator D_W learns to tell the mapping network's codes w = f(z)
(real) from the encoder's style vectors (fake), with the non-saturating loss and an R1
penalty on real codes every `r1_every` steps; the encoder minimises

    weight * mean over W+ layers i of softplus(-D_W(w_i)),

which pulls the distribution of its codes toward W's. As the authors' code, D_W sees one
randomly chosen layer of each encoded code, and both sides go through a pool of 50 earlier
codes (half of each batch swapped with stored ones once it is full).

The training module builds D_W for its generator (`build`), gives it its own Adam optimizer
(`lr`) and calls `discriminator_step` before the encoder's step. Every draw is a function of
(seed, step), and the pools are buffers, so a resumed run trains what an uninterrupted one would."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.nets.latent_discriminator import LatentDiscriminator
from ganlab.randomness import randint, randn


class LatentAdversarialLoss(nn.Module):
    def __init__(self, weight: float = 0.1, lr: float = 2e-5, layers: int = 4, r1: float = 10.0,
                 r1_every: int = 16, pool_size: int = 50, seed: int = 0):
        super().__init__()
        if weight < 0 or lr <= 0 or r1 < 0 or r1_every < 1 or pool_size < 0:
            raise ValueError("loss.adversarial needs weight >= 0, lr > 0, r1 >= 0, r1_every >= 1, pool_size >= 0; "
                             f"got weight={weight}, lr={lr}, r1={r1}, r1_every={r1_every}, pool_size={pool_size}")
        self.weight, self.lr, self.layers, self.r1 = float(weight), float(lr), layers, float(r1)
        self.r1_every, self.pool_size, self.seed = r1_every, pool_size, seed
        self.discriminator: LatentDiscriminator | None = None
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    def build(self, style_dim: int) -> None:
        """D_W and the pools for a generator's style size (initialised from the seed)."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed * 1_000_003 + 2)
            self.discriminator = LatentDiscriminator(style_dim, self.layers)
        for side in ("real", "fake"):
            self.register_buffer(f"{side}_pool", torch.zeros(self.pool_size, style_dim))
            self.register_buffer(f"{side}_filled", torch.zeros((), dtype=torch.long))

    def forward(self, wplus: torch.Tensor) -> torch.Tensor:
        """The encoder's term for codes [B, n_latent, D] (D_W held fixed)."""
        self.discriminator.requires_grad_(False)
        value = F.softplus(-self.discriminator(wplus)).mean()
        self.discriminator.requires_grad_(True)
        return self.weight * value

    def _pool(self, side: str, codes: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        """e4e's code pool, batched: codes fill the pool first; once full, each code is swapped
        with probability 1/2 for a stored one (distinct slots), which is returned in its place."""
        if self.pool_size == 0:
            return codes
        pool, filled = getattr(self, f"{side}_pool"), getattr(self, f"{side}_filled")
        stored = min(int(filled), self.pool_size)
        fresh = min(len(codes), self.pool_size - stored)
        pool[stored:stored + fresh] = codes[:fresh].detach()
        filled.fill_(stored + fresh)
        rest = len(codes) - fresh
        swap = torch.nonzero(torch.rand(rest, generator=rng) > 0.5).squeeze(1)[: self.pool_size] + fresh
        if len(swap) == 0:
            return codes
        slots = torch.randperm(self.pool_size, generator=rng)[: len(swap)].to(pool.device)
        swap = swap.to(codes.device)
        out = codes.clone()
        out[swap] = pool[slots]
        pool[slots] = codes[swap].detach()
        return out

    def discriminator_step(self, generator: nn.Module, wplus: torch.Tensor, optimizer, backward) -> dict:
        """One step of D_W on mapped codes against the encoder's (detached) codes [B, n_latent, D],
        plus the lazy R1 step; backward: the training module's (manual_backward). Returns logs."""
        rng = torch.Generator().manual_seed(self.seed * 1_000_003 + int(self.steps))
        batch = len(wplus)
        with torch.no_grad():  # this process's slice of the global batch's draws (ganlab.randomness)
            real = generator.style(randn((batch, generator.style_dim), rng, wplus.device))
        layer = randint(wplus.shape[1], batch, rng, wplus.device)
        fake = wplus.detach()[torch.arange(batch, device=wplus.device), layer]
        real, fake = self._pool("real", real, rng), self._pool("fake", fake, rng)
        loss = F.softplus(-self.discriminator(real)).mean() + F.softplus(self.discriminator(fake)).mean()
        optimizer.zero_grad(set_to_none=True)
        backward(loss)
        optimizer.step()
        logs = {"train/adversarial_d": loss.detach()}
        if self.r1 > 0 and int(self.steps) % self.r1_every == 0:
            real = real.detach().requires_grad_(True)
            grad, = torch.autograd.grad(self.discriminator(real).sum(), real, create_graph=True)
            penalty = grad.square().sum(1).mean()
            optimizer.zero_grad(set_to_none=True)
            backward(self.r1 / 2 * self.r1_every * penalty)
            optimizer.step()
            logs["train/adversarial_r1"] = penalty.detach()
        self.steps += 1
        return logs

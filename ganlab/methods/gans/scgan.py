"""SCGAN fine-tuning (Liu et al. 2022, the authors' train_mmd.py): a pretrained StyleGAN2
becomes self-conditioned and is fine-tuned on a re-sampled distribution of its own labels.

1. Self-labels (at the start of training, kept in the checkpoint): real training images are
   inverted into W; each attribute's InterFaceGAN boundary in the pretrained generator's W
   (`boundaries`: fitted on those codes, on sampled ones, or read from files) gives signed
   distances, soft-labelled low / mid / high over the observed [min, max]
   (ganlab.editing.self_labels).
2. Generator: one learned 4x4 constant per mode (ganlab.nets.self_conditioned);
   discriminator: a head classifying each attribute's level (ganlab.nets.mode_discriminator).
3. Re-sampling: fakes are drawn with every attribute's level uniform over its range.
4. Losses: StyleGAN2's non-saturating loss, lazy R1 and path-length regularisation (the
   StyleGAN2 module's), plus KL(label || softmax(class head)): on real images toward their
   self-labels for D (kl_weight_d), on fakes toward their sampled levels for G (kl_weight_g).
   g_ema starts from the pretrained g_ema."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.editing.self_labels import SelfLabels, level_labels, mode_kl, uniform_levels
from ganlab.methods.gans.stylegan2 import StyleGAN2
from ganlab.nets.mode import evaluating
from ganlab.nets.mode_discriminator import ModeDiscriminator
from ganlab.nets.self_conditioned import SelfConditionedGenerator, self_labelled_generator
from ganlab.nets.stylegan2 import StyleGAN2Checkpoint, save_rosinality
from ganlab.randomness import randn, step_generator
from ganlab.reports.grid import Grid

log = logging.getLogger("ganlab")


class SelfConditionedGAN(StyleGAN2):
    """pretrained: g_ema, g, d (and latent_avg) of the base StyleGAN2 (`generator_from`: the
    trained generator starts from its g, or from g_ema where a checkpoint has no g);
    inverter: the earlier stage with `invert(images) -> W codes`; boundaries:
    `(generator, max_samples, real_codes, real_images) -> (normals [A, D], offsets [A])` for
    `attributes` (ganlab.editing.boundary_sources)."""

    def __init__(self, pretrained: StyleGAN2Checkpoint, inverter: nn.Module, boundaries, attributes: list[str],
                 optimizer_g, optimizer_d, kl_weight_d: float = 0.5, kl_weight_g: float = 0.5,
                 mode_init: str = "copy", generator_from: str = "g", label_batch_size: int = 256,
                 r1_gamma: float = 10.0, r1_interval: int = 16, pl_weight: float = 2.0, pl_interval: int = 4,
                 pl_batch_shrink: int = 2, mixing_prob: float = 0.9, ema_half_life_kimg: float = 10.0,
                 ema_rampup: float | None = None, seed: int = 0, grid_rows: int = 8):
        if pretrained.d is None:
            raise ValueError("SCGAN fine-tunes the pretrained discriminator too: the checkpoint needs a 'd' entry "
                             "(rosinality's convert_weight.py writes it with --disc)")
        if generator_from not in ("g", "g_ema"):
            raise ValueError(f"generator_from must be g or g_ema, got {generator_from!r}")
        if generator_from == "g" and pretrained.g is None:
            raise ValueError("the checkpoint has no 'g' entry (convert_weight.py writes it with --gen); "
                             "set method.stages.scgan.module.generator_from=g_ema to fine-tune from g_ema")
        if not attributes:
            raise ValueError("method.stages.scgan.module.attributes: name at least one attribute")
        n = len(attributes)
        start = pretrained.g if generator_from == "g" else pretrained.g_ema
        super().__init__(SelfConditionedGenerator(start, n, mode_init), ModeDiscriminator(pretrained.d, n),
                         optimizer_g, optimizer_d, r1_gamma=r1_gamma, r1_interval=r1_interval, pl_weight=pl_weight,
                         pl_interval=pl_interval, pl_batch_shrink=pl_batch_shrink, mixing_prob=mixing_prob,
                         ema_half_life_kimg=ema_half_life_kimg, ema_rampup=ema_rampup, seed=seed,
                         grid_rows=grid_rows)
        self.g_ema = SelfConditionedGenerator(pretrained.g_ema, n, mode_init).eval().requires_grad_(False)
        # The base generator, frozen: boundaries are fitted in its W, and editing baselines use it.
        self.base = pretrained.g_ema.eval().requires_grad_(False)
        self.inverter = inverter.eval().requires_grad_(False)
        self.boundaries, self.attributes = boundaries, list(attributes)
        self.kl_weight_d, self.kl_weight_g, self.label_batch_size = kl_weight_d, kl_weight_g, label_batch_size
        self.labels = SelfLabels(n, self.g.style_dim)
        # Wall-clock of this fine-tuning (labelling, training) and the machine's load average
        # over it: kept with the weights, so a cached stage still reports how long it took.
        self.register_buffer("seconds", torch.zeros(2, dtype=torch.float64))
        self.register_buffer("load_average", torch.zeros(3, dtype=torch.float64))
        if pretrained.latent_avg is not None:
            self.g.set_w_avg(pretrained.latent_avg)
            self.g_ema.set_w_avg(pretrained.latent_avg)

    def train(self, mode: bool = True):
        super().train(mode)
        self.base.eval()
        self.inverter.eval()
        return self

    # ------------------------------------------------------------- self-labels
    def on_fit_start(self) -> None:
        super().on_fit_start()
        start = time.perf_counter()
        if not bool(self.labels.fitted):  # a resumed run has them from its checkpoint
            self.fit_self_labels(self.trainer.datamodule)
        self.seconds[0] += time.perf_counter() - start
        self._train_start = time.perf_counter()

    def on_train_end(self) -> None:
        self.seconds[1] += time.perf_counter() - self._train_start
        self.load_average.copy_(torch.tensor(os.getloadavg(), dtype=torch.float64))
        super().on_train_end()

    @torch.no_grad()
    def fit_self_labels(self, datamodule) -> torch.Tensor:
        """The training images' codes, the boundaries (fitted in the base generator's W), then
        the codes' distances and range.
        Returns each training image's position on each attribute's range, [N, A]. A fast
        dev run labels from 2 batches only (`label_batch_size` images / samples each)."""
        limit = 2 * self.label_batch_size if self.trainer.fast_dev_run else None
        train = datamodule.split("train")
        codes = self.invert(train, limit)
        normals, offsets = self.boundaries(self.base, max_samples=limit, real_codes=codes, real_images=train)
        self.labels.fit(normals.to(self.device), offsets.to(self.device), codes)
        high = (self.labels(codes)[:, :, 2] > 0.5).float().mean(0)
        log.info("SCGAN self-labels over %d training images: share labelled high %s", len(codes),
                 {a: round(float(h), 4) for a, h in zip(self.attributes, high)})
        return self.labels.positions(codes)

    @torch.no_grad()
    def invert(self, dataset, limit: int | None = None) -> torch.Tensor:
        """W codes [N, D] of a split's images (the first `limit` of them, if given)."""
        index = torch.arange(len(dataset) if limit is None else min(limit, len(dataset)))
        return torch.cat([self.inverter.invert(dataset[chunk][0].to(self.device))
                          for chunk in index.split(self.label_batch_size)])

    def real_levels(self, real: torch.Tensor) -> torch.Tensor:
        """Self-labels [B, A, 3] of real images (the frozen encoder, inverted on the fly)."""
        return self.labels(self.inverter.invert(real))

    # --------------------------------------------------------------- sampling
    def _fakes(self, n: int, rng: torch.Generator):
        """(images, W+, W, levels) with every attribute's level drawn uniformly over its range."""
        wplus, w = self._latents(n, rng)
        levels = level_labels(uniform_levels(n, len(self.attributes), rng, self.device))
        return self.g.synthesis(wplus, levels, noise=self._noise(n, rng)), wplus, w, levels

    def _generate(self, n: int, rng: torch.Generator):
        fake, wplus, w, _ = self._fakes(n, rng)
        return fake, wplus, w

    # --------------------------------------------------------------- training
    def training_step(self, batch, batch_idx):
        real = batch[0]
        n, step = real.shape[0], int(self.batches_seen)
        opt_g, opt_d = self.optimizers()
        rng = step_generator(self.seed, self.current_epoch, batch_idx)
        real_levels = self.real_levels(real)

        self.g.requires_grad_(False)
        self.d.requires_grad_(True)
        fake, _, _, _ = self._fakes(n, rng)
        (d_real, class_real), d_fake = self.d.classify(real), self.d(fake)
        loss_d = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
        loss_kl_d = mode_kl(class_real, real_levels)
        self._step(opt_d, loss_d + self.kl_weight_d * loss_kl_d)
        logs = {"train/loss_d": loss_d, "train/loss_kl_d": loss_kl_d, "train/d_real": torch.sigmoid(d_real).mean(),
                "train/d_fake": torch.sigmoid(d_fake).mean(),
                "train/class_acc_real": _level_accuracy(class_real, real_levels)}
        if self.r1_gamma > 0 and step % self.r1_interval == 0:
            logs["train/loss_r1"] = self._r1_step(real, opt_d)

        self.g.requires_grad_(True)
        self.d.requires_grad_(False)
        fake, _, w, levels = self._fakes(n, rng)
        d_fake, class_fake = self.d.classify(fake)
        loss_g = F.softplus(-d_fake).mean()
        loss_kl_g = mode_kl(class_fake, levels)
        self._step(opt_g, loss_g + self.kl_weight_g * loss_kl_g)
        logs.update({"train/loss_g": loss_g, "train/loss_kl_g": loss_kl_g,
                     "train/class_acc_fake": _level_accuracy(class_fake, levels)})
        if self.pl_weight > 0 and step % self.pl_interval == 0:
            logs["train/loss_path"] = self._path_length_step(max(1, n // self.pl_batch_shrink), rng, opt_g)

        self._track(w.detach(), n)
        self.log_dict(logs, prog_bar=True, on_step=True, on_epoch=True)
        return loss_d + loss_g

    # ------------------------------------------------------ drawing and export
    @torch.no_grad()
    def draw(self, w: torch.Tensor, levels: torch.Tensor, generator: nn.Module | None = None,
             batch_size: int = 256) -> torch.Tensor:
        """Images of W codes [N, D] (or W+) at mode levels [N, A, 3] with g_ema (or
        `generator`) and its stored noise maps, batched; in [-1, 1]."""
        generator = self.g_ema if generator is None else generator
        out = []
        with evaluating(generator):
            for wc, lc in zip(w.split(batch_size), levels.split(batch_size)):
                wplus = wc if wc.ndim == 3 else wc.unsqueeze(1).expand(-1, generator.n_latent, -1)
                out.append(generator.synthesis(wplus.to(self.device), lc.to(self.device)))
        return torch.cat(out).clamp(-1, 1)

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0, truncation: float = 1.0, batch_size: int = 256,
               levels: torch.Tensor | None = None) -> torch.Tensor:
        """n images from g_ema; levels [n, A, 3] default to uniform draws over every range
        (the re-sampled distribution)."""
        rng = torch.Generator().manual_seed(seed)
        z = randn((n, self.g.style_dim), rng, self.device)
        if levels is None:
            levels = level_labels(uniform_levels(n, len(self.attributes), rng, self.device))
        with evaluating(self.g_ema):
            w = torch.cat([self.g_ema.style(c) for c in z.split(batch_size)])
        if truncation < 1:
            w = self.g_ema.w_avg.lerp(w, truncation)
        return self.draw(w, levels, batch_size=batch_size)

    def sample_grid(self) -> tuple[Grid, str]:
        """One row per latent: every mode at its middle (= the base constant alone), then
        each attribute at low and at high."""
        rows, a = self.grid_rows, len(self.attributes)
        t = torch.full((1 + 2 * a, a), 0.5)
        for i in range(a):
            t[1 + 2 * i, i], t[2 + 2 * i, i] = 0.0, 1.0
        levels = level_labels(t).to(self.device).repeat(rows, 1, 1)
        z = randn((rows, self.g.style_dim), torch.Generator().manual_seed(self.seed), self.device)
        with evaluating(self.g_ema):
            w = self.g_ema.style(z).repeat_interleave(len(t), 0)
        columns = ["all modes mid", *(f"{name} {end}" for name in self.attributes for end in ("low", "high"))]
        return Grid(self.draw(w, levels), len(t), columns), "one latent per row, modes set per column"

    def self_labelled(self) -> StyleGAN2Checkpoint:
        """The fine-tuned generators as plain StyleGAN2 ones that draw each code at its own
        self-labels (ganlab.nets.self_conditioned.SelfLabelledInput), the discriminator without
        its level head, and latent_avg: what `generator.name=<this zoo model>` loads."""
        if not bool(self.labels.fitted):
            raise RuntimeError("this SCGAN has no self-labels yet (it has not been trained)")
        return StyleGAN2Checkpoint(g_ema=self_labelled_generator(self.g_ema, self.labels).eval(),
                                   g=self_labelled_generator(self.g, self.labels), d=self.d.body,
                                   latent_avg=self.latent_avg.clone(), config={"scgan_attributes": self.attributes})

    def export_rosinality(self, path: str | Path) -> Path:
        """g_ema, g (the authors' Generator_MMD layout: input.multiinput [1, C, 4, 4, 3n+1]),
        d (body + final_class), latent_avg and the self-label attributes."""
        d_state = {**self.d.body.state_dict(),
                   **{f"final_class.{k}": v for k, v in self.d.final_class.state_dict().items()}}
        return save_rosinality(path, self.g_ema.generator, self.g.generator, latent_avg=self.latent_avg,
                               extra={"d": {k: v.detach().cpu() for k, v in d_state.items()},
                                      "scgan_attributes": list(self.attributes)})


def _level_accuracy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """How often the class head's most likely level is the label's heaviest one."""
    return (logits.argmax(-1) == target.argmax(-1)).float().mean()

"""The Latent Transformer (Yao et al. ICCV 2021) as its released code trains it
(InterDigitalInc/latent-transformer, trainer.py), one mapping per edit task:

    w' = w + c * f(w)   on W+, f a linear map per layer (ganlab.editing.layerwise_mapping)

c comes from the frozen latent classifier's probability p of the target: a code that has
the attribute (p > 0.5) is pushed toward not having it with c = -p, one that lacks it with
c = 1 - p (`fixed_alpha`: c = +-1); the loss is

    w_class * BCE(C(w')_i, flipped label), class-balanced over the batch
  + w_recon * |w' - w|^2 (mean)                 the latent "L2 regulariser"
  + w_reg   * |m * (C(w') - C(w))|^2 (mean)     attribute regulariser, m_j = 1 - |rho_ij|

with weights 1 / 10 / 1, Adam (lr 1e-3, betas 0.9 / 0.999, weight decay 5e-4), batches of
32, 10 epochs. A term whose weight is 0 is not computed ("LT without regularisation":
w_recon = w_reg = 0). Categorical labels (count editing k -> k+1): trained on the codes
of class k toward class k+1, where the class-balanced BCE on the target's softmax
probability is its cross-entropy. Edits may be limited to the first `edit_layers` W+
layers, as the released evaluation does (11 of 18 at 1024 px)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganlab.data.code_render import to_wplus
from ganlab.editing.layerwise_mapping import LayerwiseMappings
from ganlab.methods.editors.latent_classifier import LatentClassifier
from ganlab.methods.editors.latent_editor import LatentEditor
from ganlab.randomness import step_generator


class CodeBatches:
    """Each task's training codes (binary: all; categorical: the source class) in shuffled
    batches, the tasks' steps interleaved; a pure function of (seed, epoch)."""

    def __init__(self, module: LatentTransformer, codes: torch.Tensor, labels: torch.Tensor, batch_size: int,
                 shuffle: bool):
        self.module, self.codes, self.batch_size, self.shuffle = module, codes, batch_size, shuffle
        self.rows = [module.training_rows(labels, k) for k in range(len(module.tasks))]

    def _steps(self) -> list[tuple[int, torch.Tensor]]:
        g = step_generator(self.module.seed, self.module.current_epoch, 0, salt=11) if self.shuffle else None
        steps = []
        for k, rows in enumerate(self.rows):
            order = rows[torch.randperm(len(rows), generator=g)] if g is not None else rows
            steps += [(k, chunk) for chunk in order.split(self.batch_size)]
        if g is not None:
            steps = [steps[i] for i in torch.randperm(len(steps), generator=g).tolist()]
        return steps

    def __len__(self) -> int:
        return sum(-(-len(rows) // self.batch_size) for rows in self.rows)

    def __iter__(self):
        for k, rows in self._steps():
            yield {"task": k, "codes": self.codes[rows]}


class LatentTransformer(LatentEditor):
    def __init__(self, tasks: list[str], label_names: list[str],
                 label_kind: str, latent_dim: int, n_latent: int, optimizer, scheduler=None,
                 weight_class: float = 1.0, weight_recon: float = 10.0, weight_reg: float = 1.0,
                 corr_threshold: float = 1.0, fixed_alpha: bool = False, batch_size: int = 32,
                 edit_layers: int | None = None, lrmul: float = 1.0, name: str = "LT", seed: int = 0,
                 latent_classifier: LatentClassifier | None = None):
        super().__init__(tasks, label_names, label_kind, name, seed)
        if min(weight_class, weight_recon, weight_reg) < 0:
            raise ValueError("LT loss weights must be >= 0")
        if edit_layers is not None and not 0 < edit_layers <= n_latent:
            raise ValueError(f"edit_layers must be in 1..{n_latent} (or null: all), got {edit_layers}")
        if latent_classifier is None:
            raise ValueError(f"{name} needs the latent classifier: give its stage the input "
                             "`inputs: {latent_classifier: latent_classifier}`")
        self.latent_classifier = latent_classifier.freeze()
        self.optimizer, self.scheduler = optimizer, scheduler
        self.weights = {"class": weight_class, "recon": weight_recon, "reg": weight_reg}
        self.corr_threshold, self.fixed_alpha, self.batch_size = corr_threshold, fixed_alpha, batch_size
        self.n_latent, self.edit_layers = n_latent, edit_layers
        self.mappings = LayerwiseMappings(len(self.tasks), n_latent, latent_dim, lrmul)

    # ------------------------------------------------------------------ data
    def training_rows(self, labels: torch.Tensor, k: int) -> torch.Tensor:
        if self.label_kind == "categorical":
            return self.task_specs[k].sources(labels).nonzero().squeeze(1)
        return torch.arange(len(labels))

    def training_batches(self, datamodule) -> CodeBatches:
        data = datamodule.split("train")
        return CodeBatches(self, data.codes, data.labels, self.batch_size, shuffle=True)

    def validation_batches(self, datamodule) -> CodeBatches:
        data = datamodule.split("val")
        return CodeBatches(self, data.codes, data.labels, 1024, shuffle=False)

    def on_fit_start(self) -> None:
        self.set_correlation(self.trainer.datamodule.labels("train"))

    # ------------------------------------------------------------------ the objective
    def target_probability(self, logits: torch.Tensor, k: int) -> torch.Tensor:
        column = self.task_specs[k].target_column
        return logits.softmax(1)[:, column] if self.label_kind == "categorical" else logits[:, column].sigmoid()

    def coefficients(self, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(c, flipped label) from the target probability (categorical: always toward it)."""
        if self.label_kind == "categorical":
            target = torch.ones_like(p)
            return (target if self.fixed_alpha else 1 - p), target
        target = (p <= 0.5).float()
        c = 2 * target - 1 if self.fixed_alpha else torch.where(p > 0.5, -p, 1 - p)
        return c, target

    def class_loss(self, logits: torch.Tensor, target: torch.Tensor, k: int) -> torch.Tensor:
        column = self.task_specs[k].target_column
        if self.label_kind == "categorical":
            return -logits.log_softmax(1)[:, column].mean()
        n = len(target)
        balance = target * n / (target.sum() + 1e-8) + (1 - target) * n / (n - target.sum() + 1e-8)
        bce = F.binary_cross_entropy_with_logits(logits[:, column], target, reduction="none")
        return (bce * balance).mean()

    def objective(self, k: int, codes: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        w0 = to_wplus(codes, self.n_latent)
        with torch.no_grad():
            logits0 = self.latent_classifier(w0)
        c, target = self.coefficients(self.target_probability(logits0, k))
        w1 = self.mappings(w0, k, c)
        logits1 = self.latent_classifier(w1)
        parts = {}
        if self.weights["class"] > 0:
            parts["class"] = self.class_loss(logits1, target, k)
        if self.weights["recon"] > 0:
            parts["recon"] = F.mse_loss(w1, w0)
        if self.weights["reg"] > 0:
            mask = self.mask(k, self.corr_threshold)
            parts["reg"] = F.mse_loss(logits1 * mask, logits0 * mask)
        if not parts:
            raise ValueError("LT: every loss weight is 0; nothing to train")
        return sum(self.weights[n] * v for n, v in parts.items()), parts

    def training_step(self, batch, batch_idx):
        loss, parts = self.objective(int(batch["task"]), batch["codes"])
        self.log_dict({f"train/loss_{n}": v for n, v in parts.items()} | {"train/loss": loss},
                      batch_size=len(batch["codes"]))
        return loss

    def validation_step(self, batch, batch_idx):
        loss, _ = self.objective(int(batch["task"]), batch["codes"])
        self.log("val/loss", loss, batch_size=len(batch["codes"]))

    def configure_optimizers(self):
        optimizer = self.optimizer(self.mappings.parameters())
        if self.scheduler is None:
            return optimizer
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": self.scheduler(optimizer), "interval": "epoch"}}

    # ------------------------------------------------------------------ editing
    def edit(self, codes: torch.Tensor, task: int, alpha: torch.Tensor | float) -> torch.Tensor:
        w0 = to_wplus(codes, self.n_latent)
        w1 = self.mappings(w0, task, alpha)
        if self.edit_layers is not None:
            w1 = torch.cat([w1[:, : self.edit_layers], w0[:, self.edit_layers :]], 1)
        return w1

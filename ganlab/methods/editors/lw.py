"""LW: Wasserstein loss for semantic editing in the latent space of GANs (Doubinsky et al.
2023). Per edit task, an affine map T(w) = w + A w + b (alpha = 1) is trained so that the
transported negatives T(P-) match the positives P+ in the sense of optimal transport:

    L = S(T(P-), P+) + lambda * S_attr(C(T(P-)), C(P-))

S is the Sinkhorn divergence with squared Euclidean cost in latent space, the sources
weighted by their attribute combination (ganlab.editing.sample_weights); S_attr compares
the latent classifier's attribute probabilities (or logits) before and after with the
Latent Transformer's correlation-weighted cost (each attribute j scaled by 1 - |rho_ij|, so
the target and the attributes correlated with it may move). Batches follow the paper's size rule
(ganlab.editing.pair_batches); Adam; each task stops early on its own held-out loss and
edits with its best weights (kept in the state dict, so resuming is exact)."""

from __future__ import annotations

import logging

import torch
from torch import nn

from ganlab.data.code_render import to_wplus
from ganlab.editing.affine import AffineEdits
from ganlab.editing.pair_batches import pair_batches
from ganlab.editing.sample_weights import source_weights
from ganlab.methods.editors.latent_classifier import LatentClassifier
from ganlab.methods.editors.latent_editor import LatentEditor
from ganlab.randomness import step_generator

log = logging.getLogger("ganlab")
ATTRIBUTE_SPACES = ("logits", "probabilities")


class PairPlan:
    """The steps of one epoch: (task, source codes, their weights, target codes) batches of
    the tasks still training, shuffled with (seed, epoch); validation keeps its order."""

    def __init__(self, module: LatentWasserstein, datamodule, split: str, shuffle: bool):
        self.module, self.shuffle = module, shuffle
        data = datamodule.split(split)
        self.codes = data.codes
        self.sets = [module.task_sets(data.labels, datamodule.labels("train"), k) for k in range(len(module.tasks))]

    def _steps(self) -> list[tuple[int, torch.Tensor, torch.Tensor]]:
        m = self.module
        g = step_generator(m.seed, m.current_epoch, 0, salt=7) if self.shuffle else None
        steps = []
        for k, (src, _, tgt) in enumerate(self.sets):
            if not m.stopped[k]:
                steps += [(k, src[a], tgt[b]) for a, b in pair_batches(len(src), len(tgt), g, m.max_batch_size,
                                                                        m.min_last_fraction)]
        if g is not None:
            steps = [steps[i] for i in torch.randperm(len(steps), generator=g).tolist()]
        return steps

    def __len__(self) -> int:
        return len(self._steps())

    def __iter__(self):
        for k, src, tgt in self._steps():
            weights = self.sets[k][1]
            yield {"task": k, "source": self.codes[src], "weights": weights[src], "target": self.codes[tgt]}


class LatentWasserstein(LatentEditor):
    def __init__(self, tasks: list[str], label_names: list[str],
                 label_kind: str, latent_dim: int, optimizer, sinkhorn: nn.Module, attribute_sinkhorn: nn.Module,
                 disentangle_weight: float = 1.0, disentangle_weights: dict[str, float] | None = None,
                 weight_rule: str = "target_count", weight_attributes: list[str] | None = None,
                 corr_threshold: float = 1.0, patience: int = 10, min_delta: float = 0.0,
                 min_last_fraction: float = 0.5, max_batch_size: int | None = None,
                 attribute_space: str = "probabilities", name: str = "LW", seed: int = 0,
                 latent_classifier: LatentClassifier | None = None, layout: str = "shared",
                 n_latent: int | None = None):
        """disentangle_weight: lambda (0 = "LW without disentanglement"); disentangle_weights:
        per-task overrides ({Eyeglasses: 0.5}). weight_attributes: the attributes whose
        combinations weight the sources (the target's own column is left out).
        attribute_space: where S_attr compares C(T(w)) with C(w): the classifier's `logits`
        or its `probabilities` (bounded, so confident codes far past a boundary cost no more
        than codes just past it). layout: the affine map's shape on W+ codes
        (ganlab.editing.affine: shared, per_layer or full; n_latent = L for the last two)."""
        super().__init__(tasks, label_names, label_kind, name, seed)
        unknown = sorted(set(disentangle_weights or {}) - set(self.tasks))
        if unknown:
            raise ValueError(f"disentangle_weights names edits {unknown} that are not among {self.tasks}")
        missing = [a for a in weight_attributes or [] if a not in label_names]
        if missing:
            raise ValueError(f"weight_attributes {missing} are not labels ({list(label_names)})")
        if attribute_space not in ATTRIBUTE_SPACES:
            raise ValueError(f"attribute_space must be one of {ATTRIBUTE_SPACES}, got {attribute_space!r}")
        if latent_classifier is None:
            raise ValueError(f"{name} needs the latent classifier: give its stage the input "
                             "`inputs: {latent_classifier: latent_classifier}`")
        self.latent_classifier = latent_classifier.freeze()
        self.optimizer, self.sinkhorn, self.attribute_sinkhorn = optimizer, sinkhorn, attribute_sinkhorn
        self.lambdas = [float((disentangle_weights or {}).get(t, disentangle_weight)) for t in self.tasks]
        self.weight_rule, self.corr_threshold, self.attribute_space = weight_rule, corr_threshold, attribute_space
        self.weight_columns = [list(label_names).index(a) for a in weight_attributes or []]
        self.patience, self.min_delta = patience, min_delta
        self.min_last_fraction, self.max_batch_size = min_last_fraction, max_batch_size
        n = len(self.tasks)
        self.transforms = AffineEdits(n, latent_dim, layout, n_latent)
        self.best = AffineEdits(n, latent_dim, layout, n_latent).requires_grad_(False)  # what `edit` uses
        self.register_buffer("best_val", torch.full((n,), float("inf")))
        self.register_buffer("bad_epochs", torch.zeros(n, dtype=torch.long))
        self.register_buffer("stopped", torch.zeros(n, dtype=torch.bool))
        self._val_sums: dict[int, list[float]] = {}

    # ------------------------------------------------------------------ data
    def task_sets(self, labels: torch.Tensor, train_labels: torch.Tensor, k: int):
        """(source indices, their weights [N], target indices) of task k in a split; weights
        from the training targets' combination counts; zero-weight sources dropped."""
        task = self.task_specs[k]
        src, tgt = task.sources(labels).nonzero().squeeze(1), task.targets(labels).nonzero().squeeze(1)
        columns = [c for c in self.weight_columns if c not in (task.source_column, task.target_column)]
        train_targets = train_labels[task.targets(train_labels)]
        weights = torch.zeros(len(labels))
        weights[src] = source_weights(labels[src], train_targets, columns, self.weight_rule)
        return src[weights[src] > 0], weights, tgt

    def training_batches(self, datamodule) -> PairPlan:
        return PairPlan(self, datamodule, "train", shuffle=True)

    def validation_batches(self, datamodule) -> PairPlan:
        return PairPlan(self, datamodule, "val", shuffle=False)

    def on_fit_start(self) -> None:
        self.set_correlation(self.trainer.datamodule.labels("train"))

    # ------------------------------------------------------------------ the objective
    def objective(self, k: int, source: torch.Tensor, weights: torch.Tensor, target: torch.Tensor):
        moved = self.transforms(source, k)
        if moved.ndim != target.ndim:  # a per-layer or full map lifts W codes to W+: so do their targets
            target = to_wplus(target, self.transforms.n_latent)
        loss_w = self.sinkhorn(moved, target, weights)
        parts = {"loss_w": loss_w}
        if self.lambdas[k] > 0:
            mask = self.mask(k, self.corr_threshold)
            with torch.no_grad():
                before = self.attributes(source) * mask
            after = self.attributes(moved) * mask
            parts["loss_dis"] = self.attribute_sinkhorn(after, before, weights, weights)
            return loss_w + self.lambdas[k] * parts["loss_dis"], parts
        return loss_w, parts

    def attributes(self, codes: torch.Tensor) -> torch.Tensor:
        logits = self.latent_classifier(codes)
        return logits if self.attribute_space == "logits" else self.latent_classifier.probabilities(logits)

    def training_step(self, batch, batch_idx):
        k = int(batch["task"])
        loss, parts = self.objective(k, batch["source"], batch["weights"], batch["target"])
        self.log_dict({f"train/{n}": v for n, v in parts.items()} | {"train/loss": loss}, batch_size=1)
        return loss

    def validation_step(self, batch, batch_idx):
        k = int(batch["task"])
        loss, _ = self.objective(k, batch["source"], batch["weights"], batch["target"])
        self._val_sums.setdefault(k, []).append(float(loss.detach()))

    # ------------------------------------------------------------------ early stopping, per task
    def on_validation_epoch_end(self) -> None:
        sums, self._val_sums = self._val_sums, {}
        if self.trainer.sanity_checking or not sums:
            return
        current = {}
        for k, values in sums.items():
            current[k] = val = sum(values) / len(values)
            self.log(f"val/loss_{self.tasks[k]}", val)
            if val < float(self.best_val[k]) - self.min_delta:
                self.best_val[k], self.bad_epochs[k] = val, 0
                self.best.copy_task(self.transforms, k)
            else:
                self.bad_epochs[k] += 1
                if self.bad_epochs[k] >= self.patience:
                    self.stopped[k] = True
                    log.info("LW %s: early stop at epoch %d (best held-out loss %.4f)", self.tasks[k],
                             self.current_epoch, float(self.best_val[k]))
        self.log("val/loss", sum(current.values()) / len(current))
        if bool(self.stopped.all()):
            self.trainer.should_stop = True

    def configure_optimizers(self):
        return self.optimizer(self.transforms.parameters())

    # ------------------------------------------------------------------ editing
    def edit(self, codes: torch.Tensor, task: int, alpha: torch.Tensor | float) -> torch.Tensor:
        return self.best(codes, task, alpha)

"""Latent-code datasets: codes of a StyleGAN2 generator with labels, the training data of
latent editors (LW, LT, InterFaceGAN, GANSpace).

Two ways to get them (`source`):
- `sample`: z ~ N(0, I) -> w = g.style(z) (W space, optionally truncated), render the image,
  label it with the image classifier (hard 0/1 per attribute, or the argmax class).
- `invert`: encode the labelled real images with an inverter (pSp / e4e, as the LW paper
  did); the labels are the images' own, the splits theirs.

A set is built once and cached at `<cache_dir>/latents/<key>.pt` (atomic write), the key
hashing the generator's and classifier's (and inverter's) weights, the source, count,
seed and truncation, so a retrained generator never reuses stale codes. The datamodule
also holds what evaluating edits needs: the generator, the image classifier and the real
labelled images (`images`), and the edit tasks (`edits`)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

from ganlab.config.validate import ConfigError
from ganlab.data.base import SPLITS, SplitDataModule, split_indices, train_loader, trainer_epoch
from ganlab.data.code_render import render_codes
from ganlab.data.tasks import EditTask, parse_tasks
from ganlab.module_files import atomic_save

log = logging.getLogger("ganlab")

FORMAT_VERSION = 1
SOURCES = ("sample", "invert")


class LatentCodes(Dataset):
    """Codes [N, D] (W) or [N, L, D] (W+), hard labels [N, K] and the image classifier's
    probabilities [N, K]; `ds[index_tensor]` gives a whole batch (codes, labels)."""

    def __init__(self, codes: torch.Tensor, labels: torch.Tensor, probabilities: torch.Tensor):
        if not len(codes) == len(labels) == len(probabilities):
            raise ValueError(f"{len(codes)} codes, {len(labels)} labels, {len(probabilities)} probabilities")
        self.codes, self.labels, self.probabilities = codes, labels, probabilities

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, index):
        return self.codes[index], self.labels[index]


def module_digest(module: nn.Module | None) -> str:
    """sha256 of a module's state dict (names, shapes, values): what its outputs depend on."""
    if module is None:
        return "none"
    h = hashlib.sha256()
    for name, value in sorted(module.state_dict().items()):
        h.update(name.encode())
        tensor = value.detach().cpu().contiguous()
        h.update(str(tuple(tensor.shape)).encode() + str(tensor.dtype).encode())
        h.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def classify(classifier: nn.Module, images: torch.Tensor, kind: str, batch_size: int = 512) -> torch.Tensor:
    """Probabilities [N, K] of an image classifier (`.net` gives logits): sigmoid per
    attribute (binary) or softmax over classes (categorical)."""
    net = getattr(classifier, "net", classifier)
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    with torch.no_grad():
        logits = torch.cat([net(images[i : i + batch_size].to(device)).float().cpu()
                            for i in range(0, len(images), batch_size)])
    net.train(was_training)
    return logits.softmax(1) if kind == "categorical" else logits.sigmoid()


def hard_labels(probabilities: torch.Tensor, kind: str) -> torch.Tensor:
    """0/1 per attribute at 0.5 (binary), or the one-hot argmax (categorical)."""
    if kind == "categorical":
        return F.one_hot(probabilities.argmax(1), probabilities.shape[1]).float()
    return (probabilities > 0.5).float()


def rank_labels(probabilities: torch.Tensor, kind: str) -> torch.Tensor:
    """Labels by rank instead of p > 0.5, for smoke runs whose 1-step classifier says the
    same for every image: each attribute splits at its median (binary), each code takes the
    class where its probability ranks highest (categorical)."""
    ranks = probabilities.argsort(dim=0, stable=True).argsort(dim=0).float() / max(1, len(probabilities) - 1)
    if kind == "categorical":
        return F.one_hot(ranks.argmax(1), probabilities.shape[1]).float()
    return (ranks >= 0.5).float()


class LatentCodesDataModule(SplitDataModule):
    def __init__(self, generator: nn.Module, classifier: nn.Module, images: pl.LightningDataModule,
                 edits: list[str] | None = None, source: str = "sample", inverter: nn.Module | None = None,
                 num_codes: int = 20000, truncation: float = 1.0, splits: list[float] = (0.8, 0.1, 0.1),
                 batch_size: int = 256, render_batch_size: int = 128, seed: int = 0, cache_dir: str | None = None,
                 device: str = "auto", fast_dev_run: bool | int | None = None, fast_dev_codes: int = 256):
        """generator: a StyleGAN2 generator (`style`, `synthesis`, `n_latent`, `style_dim`).
        classifier: the image classifier that labels sampled codes and judges edits.
        images: the real labelled images (label names and kind, FID references, inversion).
        edits: the edit tasks (null: every attribute, or each class to the next).
        fast_dev_run: set by debug=fdr; then only `fast_dev_codes` codes are built, labelled by
        rank (`rank_labels`: the 1-step classifier of a smoke run has no opinion), and edit
        tasks lacking codes of either side are dropped with a warning instead of failing."""
        super().__init__()
        if source not in SOURCES:
            raise ValueError(f"data.source must be one of {SOURCES}, got {source!r}")
        if source == "invert" and inverter is None:
            raise ConfigError("data.source=invert needs an inverter: add e.g. `inverter=psp_synthfaces` (an encoder "
                              "from configs/inverter/, UDA-inversion's pSp / e4e) or use data.source=sample")
        if source == "sample" and inverter is not None:  # it would key the sampled codes and encode nothing
            raise ConfigError("data.source=sample draws codes from the generator and encodes no image, yet an "
                              "inverter is set (a recipe whose default is data.source=invert names one): drop it "
                              "with `'~inverter'`")
        if not 0 < truncation <= 1:
            raise ValueError(f"data.truncation must be in (0, 1], got {truncation}")
        self.generator, self.classifier, self.images, self.inverter = generator, classifier, images, inverter
        self.source, self.truncation, self.fractions, self.seed = source, truncation, list(splits), seed
        self.fast = bool(fast_dev_run)
        self.num_codes = fast_dev_codes if self.fast else num_codes
        self.batch_size, self.render_batch_size = batch_size, render_batch_size
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.device = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device)
        for part in (generator, classifier, inverter):
            if part is not None:
                part.eval().to(self.device)
        if images.label_spec.dim == 0:
            images.setup()  # e.g. CelebA with all attributes: the names come from its files
        self.label_spec = images.label_spec
        self.channels, self.image_size = images.channels, images.image_size
        self.requested_edits = list(edits) if edits else None
        self.tasks: list[EditTask] = parse_tasks(self.requested_edits, list(self.label_spec.names),
                                                 self.label_spec.kind)
        self._splits: dict[str, LatentCodes] | None = None
        self.cache_path: Path | None = None

    # ------------------------------------------------------------------ facts recipes read
    @property
    def n_latent(self) -> int:
        return int(self.generator.n_latent)

    @property
    def latent_dim(self) -> int:
        return int(self.generator.style_dim)

    def extra_info(self) -> dict:
        """Added to `data_info` by the runner (editors are sized from it)."""
        self.setup()
        return {"latent_dim": self.latent_dim, "n_latent": self.n_latent, "edits": [t.name for t in self.tasks],
                "code_shape": list(self.split("train").codes.shape[1:])}

    # ------------------------------------------------------------------ building and caching
    def cache_key(self) -> str:
        parts = [f"v{FORMAT_VERSION}", self.source, module_digest(self.generator), module_digest(self.classifier),
                 module_digest(self.inverter), str(self.num_codes), str(self.seed), repr(self.truncation),
                 repr(self.fractions), str(self.image_size), ",".join(self.label_spec.names), self.label_spec.kind,
                 "rank-labels" if self.fast else "p>0.5"]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]

    def setup(self, stage: str | None = None) -> None:
        if self._splits is not None:
            return
        payload = None
        if self.cache_dir is not None:
            self.cache_path = self.cache_dir / "latents" / f"{self.source}-{self.cache_key()}.pt"
            if self.cache_path.is_file():
                payload = torch.load(self.cache_path, map_location="cpu", weights_only=True)
                log.info("latent codes: loaded %s", self.cache_path)
        if payload is None:
            payload = self._build()
            if self.cache_path is not None:
                atomic_save(payload, self.cache_path)
                log.info("latent codes: built %d codes, cached at %s", len(payload["codes"]), self.cache_path)
        self._splits = {name: LatentCodes(payload["codes"][idx], payload["labels"][idx],
                                          payload["probabilities"][idx])
                        for name, idx in payload["splits"].items()}
        self._check_tasks()

    def _build(self) -> dict:
        return self._sample() if self.source == "sample" else self._invert()

    @torch.no_grad()
    def _sample(self) -> dict:
        g = torch.Generator().manual_seed(self.seed)
        z = torch.randn(self.num_codes, self.latent_dim, generator=g)
        codes = torch.cat([self.generator.style(z[i : i + 1024].to(self.device)).cpu()
                           for i in range(0, len(z), 1024)])
        if self.truncation < 1:
            if not getattr(self.generator, "w_avg_initialized", False):
                raise ValueError("data.truncation < 1 needs the generator's w_avg (pretrained generators carry it)")
            w_avg = self.generator.w_avg.detach().cpu()
            codes = w_avg + self.truncation * (codes - w_avg)
        images = render_codes(self.generator, codes, self.image_size, self.render_batch_size)
        probabilities = classify(self.classifier, images, self.label_spec.kind)
        splits = split_indices(len(codes), self.fractions, self.seed)
        label = rank_labels if self.fast else hard_labels
        return {"codes": codes, "labels": label(probabilities, self.label_spec.kind),
                "probabilities": probabilities, "splits": splits}

    @torch.no_grad()
    def _invert(self) -> dict:
        self.images.setup()
        codes, labels, probabilities, splits, start = [], [], [], {}, 0
        per_split = max(1, self.num_codes // len(SPLITS)) if self.fast else None
        for name in SPLITS:
            data = self.images.split(name)
            n = len(data) if per_split is None else min(per_split, len(data))
            for i in range(0, n, self.render_batch_size):
                x, y = data[torch.arange(i, min(n, i + self.render_batch_size))]
                inversion = self.inverter(x.to(self.device), self.generator)  # ganlab.nets.inverters API
                codes.append(getattr(inversion, "wplus", inversion).float().cpu())
                labels.append(y.float())
                probabilities.append(classify(self.classifier, x, self.label_spec.kind))
            splits[name] = torch.arange(start, start + n)
            start += n
        return {"codes": torch.cat(codes), "labels": torch.cat(labels), "probabilities": torch.cat(probabilities),
                "splits": splits}

    def _check_tasks(self) -> None:
        """Every edit needs codes on both sides in every split (train: to learn, val: early
        stopping and alpha calibration, test: scores and FID references)."""
        usable, problems = [], []
        for task in self.tasks:
            missing = [f"{name}: {len(self._splits[name])} codes, {int(task.sources(lab).sum())} sources, "
                       f"{int(task.targets(lab).sum())} targets"
                       for name in SPLITS for lab in [self._splits[name].labels]
                       if not task.sources(lab).any() or not task.targets(lab).any()]
            (problems.append((task.name, missing)) if missing else usable.append(task))
        if not problems:
            return
        text = "; ".join(f"{name} ({', '.join(m)})" for name, m in problems)
        if not self.fast or not usable:
            raise ValueError(f"edits without codes on both sides: {text}. Use more codes (data.num_codes) or "
                             f"other edits (data.edits)")
        log.warning("fast dev run: dropping edits without codes on both sides: %s", text)
        self.tasks = usable

    # ------------------------------------------------------------------ access
    def combination_counts(self, name: str, columns: list[int]) -> dict[tuple[int, ...], int]:
        """How many codes of a split carry each combination of the given label columns."""
        labels = self.labels(name)[:, columns].long()
        combos, counts = torch.unique(labels, dim=0, return_counts=True)
        return {tuple(c.tolist()): int(n) for c, n in zip(combos, counts)}

    # ------------------------------------------------------------------ loaders
    def _loader(self, name: str, shuffle: bool) -> DataLoader:
        data = self.split(name)
        if shuffle:
            return train_loader(data, self.batch_size, self.seed, trainer_epoch(self), drop_last=False)
        return DataLoader(data, batch_size=self.batch_size, drop_last=False)

    def _module_batches(self, hook: str):
        """A module may say how it wants the codes batched (LW pairs negatives with
        positives); it receives this datamodule."""
        module = self.trainer.lightning_module if self.trainer is not None else None
        plan = getattr(module, hook, None)
        return plan(self) if plan is not None else None

    def train_dataloader(self):
        plan = self._module_batches("training_batches")
        return plan if plan is not None else self._loader("train", shuffle=True)

    def val_dataloader(self):
        plan = self._module_batches("validation_batches")
        return plan if plan is not None else self._loader("val", shuffle=False)

    def test_dataloader(self):
        return self._loader("test", shuffle=False)

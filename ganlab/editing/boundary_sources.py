"""Where InterFaceGAN boundaries for a set of attributes come from, given a generator and,
where a source wants them, the real images and their inverted W codes:

- `ClassifierBoundaries`: Shen et al.'s recipe — sample W codes, label the images they make
  with an attribute classifier, fit a linear SVM per attribute (ganlab.editing.interfacegan);
- `InvertedImageBoundaries`: the same SVMs on the inverted codes of real images labelled by
  the classifier. A small encoder's codes can lie off the mapping network's output, where a
  boundary fitted on sampled codes barely separates them (synthfaces: AUC 0.57 for
  Wearing_Hat against 0.94 for one fitted on the inverted codes);
- `BoundaryFiles`: published unit normals saved as .npy (InterFaceGAN's
  `stylegan_ffhq_eyeglasses_w_boundary.npy`, shape [1, 512]); offset 0.

Each is called `(generator, max_samples=None, real_codes=None, real_images=None)` and returns
(normals [A, D], offsets [A]) in the order of `attributes`."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ganlab.editing.interfacegan import fit_boundary
from ganlab.nets.mode import evaluating

log = logging.getLogger("ganlab")


class ClassifierBoundaries:
    """classifier: an ImageClassifier whose `net(x)` gives one logit per name in `label_names`;
    `attributes` picks the columns; `num_samples` W codes drawn from `seed`. As InterFaceGAN
    does, only the `chosen_ratio` highest- and lowest-scoring samples train each SVM (None:
    every sample, labelled by the sign of its logit)."""

    def __init__(self, classifier: nn.Module, attributes: list[str], label_names: list[str],
                 num_samples: int = 10000, chosen_ratio: float | None = 0.05, batch_size: int = 500, seed: int = 0,
                 svm_c: float = 1.0):
        unknown = [a for a in attributes if a not in label_names]
        if unknown:
            raise ValueError(f"attributes {unknown} are not among the classifier's labels {list(label_names)}")
        if chosen_ratio is not None and not 0 < chosen_ratio <= 0.5:
            raise ValueError(f"chosen_ratio must be in (0, 0.5], got {chosen_ratio}")
        self.classifier, self.attributes = classifier, list(attributes)
        self.columns = [list(label_names).index(a) for a in attributes]
        self.num_samples, self.chosen_ratio = num_samples, chosen_ratio
        self.batch_size, self.seed, self.svm_c = batch_size, seed, svm_c

    @torch.no_grad()
    def sample(self, generator: nn.Module, num_samples: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(W codes [N, D], classifier logits [N, A]) of the generator's samples."""
        device = next(generator.parameters()).device
        g = torch.Generator().manual_seed(self.seed)
        z = torch.randn(num_samples, generator.style_dim, generator=g).to(device)
        self.classifier.to(device)
        codes, scores = [], []
        with evaluating(generator), evaluating(self.classifier):
            for chunk in z.split(self.batch_size):
                w = generator.style(chunk)
                images = generator.synthesis(w.unsqueeze(1).expand(-1, generator.n_latent, -1))
                codes.append(w)
                scores.append(self.classifier.net(images)[:, self.columns])
        return torch.cat(codes), torch.cat(scores)

    def __call__(self, generator: nn.Module, max_samples: int | None = None, real_codes: torch.Tensor | None = None,
                 real_images=None) -> tuple[torch.Tensor, torch.Tensor]:
        codes, scores = self.sample(generator, min(self.num_samples, max_samples or self.num_samples))
        return self.fit(codes, scores)

    def fit(self, codes: torch.Tensor, scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One SVM per attribute on codes [N, D] labelled by classifier logits [N, A]."""
        boundaries = []
        for a, name in enumerate(self.attributes):
            ratio = self.chosen_ratio
            if ratio is None:
                chosen, labels = torch.arange(len(codes)), (scores[:, a] > 0).float()
                if labels.min() == labels.max():  # e.g. a debug run's barely trained classifier
                    ratio = 0.05
                    log.warning("boundaries: the classifier calls all %d images %s for %s; the SVM takes the "
                                "%g highest- and lowest-scoring as positives and negatives instead", len(labels),
                                "positive" if labels[0] else "negative", name, ratio)
            if ratio is not None:
                k = max(1, int(ratio * len(codes)))
                order = scores[:, a].argsort()
                chosen, labels = torch.cat([order[:k], order[-k:]]), torch.cat([torch.zeros(k), torch.ones(k)])
            boundaries.append(fit_boundary(codes[chosen], labels, C=self.svm_c, seed=self.seed))
        return (torch.stack([b.normal for b in boundaries]).to(codes),
                torch.tensor([b.offset for b in boundaries]).to(codes))


class InvertedImageBoundaries(ClassifierBoundaries):
    """The SVMs on real images' inverted codes (`real_codes` [N, D]), each labelled by the
    classifier's verdict on its image (`real_images`: a dataset whose `ds[index]` gives a
    batch, images first). Every image takes part (chosen_ratio None: the sign of its logit)
    unless chosen_ratio keeps the extremes only; num_samples caps how many."""

    def __init__(self, classifier: nn.Module, attributes: list[str], label_names: list[str],
                 num_samples: int = 20000, chosen_ratio: float | None = None, batch_size: int = 500, seed: int = 0,
                 svm_c: float = 1.0):
        super().__init__(classifier, attributes, label_names, num_samples, chosen_ratio, batch_size, seed, svm_c)

    def __call__(self, generator: nn.Module, max_samples: int | None = None, real_codes: torch.Tensor | None = None,
                 real_images=None) -> tuple[torch.Tensor, torch.Tensor]:
        if real_codes is None or real_images is None:
            raise ValueError("InvertedImageBoundaries fits on real images and their inverted codes; "
                             "the caller passed none")
        n = min(len(real_codes), self.num_samples, max_samples or self.num_samples)
        device = real_codes.device
        self.classifier.to(device)
        with torch.no_grad(), evaluating(self.classifier):
            scores = torch.cat([self.classifier.net(real_images[chunk][0].to(device))[:, self.columns]
                                for chunk in torch.arange(n).split(self.batch_size)])
        return self.fit(real_codes[:n], scores)


class BoundaryFiles:
    """files: {attribute: path to a .npy unit normal}, in the order of `attributes`."""

    def __init__(self, files: dict[str, str], attributes: list[str]):
        missing = [a for a in attributes if a not in files]
        if missing:
            raise ValueError(f"no boundary file for {missing} (method.boundaries.files has {sorted(files)})")
        self.paths = [Path(files[a]).expanduser() for a in attributes]
        absent = [str(p) for p in self.paths if not p.is_file()]
        if absent:
            raise FileNotFoundError(f"boundary files not found: {absent}. Put InterFaceGAN-style .npy unit normals "
                                    "(shape [1, D] or [D]) there, or fit them from a classifier with "
                                    "method.boundaries._target_=ganlab.editing.boundary_sources.ClassifierBoundaries")

    def __call__(self, generator: nn.Module, max_samples: int | None = None, real_codes: torch.Tensor | None = None,
                 real_images=None) -> tuple[torch.Tensor, torch.Tensor]:
        normals = torch.stack([torch.from_numpy(np.load(p)).float().reshape(-1) for p in self.paths])
        if normals.shape[1] != generator.style_dim:
            raise ValueError(f"boundary normals have {normals.shape[1]} dims; the generator's W has "
                             f"{generator.style_dim}")
        normals = normals / normals.norm(dim=1, keepdim=True)
        device = next(generator.parameters()).device
        return normals.to(device), torch.zeros(len(normals), device=device)

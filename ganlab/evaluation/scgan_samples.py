"""What every part of the SCGAN evaluation draws and judges: the same z through the base and
the fine-tuned generator, base-generator images, self-labels of images, and the
classifier's verdicts and the features net's embeddings, in batches."""

from __future__ import annotations

import torch

from ganlab.nets.mode import evaluating


class SCGANSamples:
    """Needs, from the protocol: batch_size, classifier, features, columns (attribute ->
    classifier column)."""

    def _codes(self, gan, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(base W, fine-tuned W) of the same n draws of z."""
        z = torch.randn(n, gan.base.style_dim, generator=torch.Generator().manual_seed(seed)).to(gan.device)
        with torch.no_grad(), evaluating(gan.base), evaluating(gan.g_ema):
            return (torch.cat([gan.base.style(c) for c in z.split(self.batch_size)]),
                    torch.cat([gan.g_ema.style(c) for c in z.split(self.batch_size)]))

    def _draw_base(self, gan, w: torch.Tensor) -> torch.Tensor:
        out = []
        with evaluating(gan.base):
            for c in w.split(self.batch_size):
                out.append(gan.base.synthesis(c.unsqueeze(1).expand(-1, gan.base.n_latent, -1)))
        return torch.cat(out).clamp(-1, 1)

    def _predict(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier.predict(x, batch_size=self.batch_size)

    def _self_levels(self, gan, images: torch.Tensor) -> torch.Tensor:
        """Self-labels [N, A, 3] of images, inverted into the base G's W as the training images
        were (the module's own `real_levels`, batched)."""
        return torch.cat([gan.real_levels(c) for c in images.split(self.batch_size)])

    def _embed(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.features.features(c) for c in x.split(self.batch_size)]).cpu()

    def _truth(self, datamodule, split: str) -> dict[str, torch.Tensor]:
        """Ground-truth 0/1 labels of the chosen attributes, where the data has them."""
        names = list(datamodule.label_spec.names)
        if datamodule.label_spec.kind != "binary":
            return {}
        labels = datamodule.labels(split)
        return {a: labels[:, names.index(a)] for a in self.columns if a in names}

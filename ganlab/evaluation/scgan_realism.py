"""Generator realism of the SCGAN evaluation: what fine-tuning cost the generator itself
(every label's frequency; FID and precision / recall of each sample set), and the FID of
precomputed embeddings that the edit scores share."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance

from ganlab.evaluation.scgan_samples import SCGANSamples
from ganlab.metrics.precision_recall import precision_recall
from ganlab.metrics.tables import write_records


class GeneratorRealism(SCGANSamples):
    """Needs, from the protocol: label_names, num_samples."""

    def _realism(self, samples: dict, freq: dict, datamodule, out_dir: Path) -> dict[str, float]:
        """What fine-tuning did to the generator itself: every classifier label's frequency
        (data, base G, fine-tuned G at the self-labels of the base images, i.e. the data's
        own mode distribution, and with uniform modes), and each sample set's FID and
        precision / recall (features net) against as many real training images."""
        data = datamodule.labels("train").float().mean(0) if datamodule.label_spec.kind == "binary" else None
        rows = [{"label": name, "data": float(data[j]) if data is not None else float("nan"),
                 **{k: float(f[j]) for k, f in freq.items()}} for j, name in enumerate(self.label_names)]
        metrics = {} if data is None else {f"test/gen_freq_gap_mean_{k}": float((f - data).abs().mean())
                                           for k, f in freq.items()}
        if self.features is not None:
            train = datamodule.split("train")
            index = torch.arange(min(len(train), self.num_samples)).split(self.batch_size)
            real = torch.cat([self._embed(train[i][0]) for i in index])
            for k, x in samples.items():
                fake = self._embed(x)
                precision, recall = precision_recall(real, fake)
                metrics.update({f"test/gen_fid_{k}": edit_fid(fake, real), f"test/gen_precision_{k}": precision,
                                f"test/gen_recall_{k}": recall})
            rows += [{"label": f"{stat} (features)", **{k: metrics[f"test/gen_{stat}_{k}"] for k in samples}}
                     for stat in ("fid", "precision", "recall")]
        write_records(rows, out_dir, "generator_realism",
                      f"Every label's frequency (classifier verdicts) in {self.num_samples} samples: the base G; the "
                      "fine-tuned G at the self-labels of the base images (the data's own modes) and with uniform "
                      "modes. Last rows (with a features net): FID and precision / recall (k = 3) against as many "
                      "real training images.")
        return metrics


class _Precomputed(nn.Module):
    """Features in, features out: lets torchmetrics' FID compare embeddings computed elsewhere."""

    def __init__(self, num_features: int):
        super().__init__()
        self.num_features = num_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def edit_fid(features: torch.Tensor, reference: torch.Tensor) -> float:
    """FID between edited images' and real images' embeddings [N, F] (torchmetrics' Frechet
    distance; the embedding is the `features` net's)."""
    fid = FrechetInceptionDistance(feature=_Precomputed(features.shape[1]), reset_real_features=True)
    fid.update(reference.double(), real=True)
    fid.update(features.double(), real=False)
    return float(fid.compute())

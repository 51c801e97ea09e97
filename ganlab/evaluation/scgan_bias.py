"""Generative bias of the SCGAN evaluation: how often each chosen attribute appears in
samples of the base generator, of the fine-tuned one with uniform modes, and in the data."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab.editing.self_labels import level_labels, rate_at_uniform_levels, uniform_levels
from ganlab.evaluation.scgan_report import plot_bias
from ganlab.evaluation.scgan_samples import SCGANSamples
from ganlab.metrics.tables import write_records


class GenerativeBias(SCGANSamples):
    """Needs, from the protocol: num_samples, seed."""

    def _bias(self, gan, datamodule, positions: torch.Tensor, truth: dict,
              out_dir: Path) -> tuple[dict[str, float], dict, dict]:
        """(metrics, the sample sets, each one's classifier frequencies); the sample sets are the
        base G's, the fine-tuned G's at the base images' self-labels and with uniform modes."""
        n = self.num_samples
        w_base, w_sc = self._codes(gan, n, self.seed)
        g = torch.Generator().manual_seed(self.seed + 1)
        uniform = level_labels(uniform_levels(n, len(gan.attributes), g, gan.device))
        base_images = self._draw_base(gan, w_base)
        samples = {"base": base_images,
                   "scgan_self_labels": gan.draw(w_sc, self._self_levels(gan, base_images), batch_size=self.batch_size),
                   "scgan_uniform": gan.draw(w_sc, uniform, batch_size=self.batch_size)}
        freq = {k: self._predict(x).float().mean(0).cpu() for k, x in samples.items()}
        rows, metrics = [], {}
        on_base, on_scgan = freq["base"], freq["scgan_uniform"]
        for i, a in enumerate(gan.attributes):
            col = self.columns[a]
            data = float(truth[a].mean()) if a in truth else float("nan")
            data_uniform = (float(rate_at_uniform_levels(positions[:, i], truth[a][: len(positions)]))
                            if a in truth else float("nan"))
            ratio = float(on_scgan[col] / on_base[col]) if on_base[col] > 0 else float("inf")
            rows.append({"attribute": a, "data": data, "data_uniform_levels": data_uniform, "base": float(on_base[col]),
                         "scgan_uniform": float(on_scgan[col]), "ratio": ratio})
            metrics.update({f"test/freq_base_{a}": float(on_base[col]), f"test/freq_scgan_{a}": float(on_scgan[col]),
                            f"test/freq_data_uniform_levels_{a}": data_uniform, f"test/bias_ratio_{a}": ratio})
        # The sweeps' objective (hparams_search=scgan_optuna): how far uniform modes land from what
        # they give if the fine-tuned G follows the data at every level (0 = the data's own rates).
        # Finite where bias ratios are not (a base G that never shows an attribute).
        metrics["test/uniform_level_gap"] = sum(abs(r["scgan_uniform"] - r["data_uniform_levels"])
                                                for r in rows) / len(rows)
        write_records(rows, out_dir, "generative_bias",
                      f"Attribute frequency (classifier verdicts) in {n} samples of the base generator and of the "
                      "fine-tuned SCGAN generator with every mode drawn uniformly over its range; data = training "
                      "labels; data_uniform_levels = the training images' rate in each tenth of the self-label "
                      "range, averaged (what uniform modes give if G follows the data at every level); "
                      "ratio = scgan_uniform / base.")
        plot_bias(rows, out_dir / "generative_bias.png")
        return metrics, samples, freq

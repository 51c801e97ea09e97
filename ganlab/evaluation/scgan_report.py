"""Tables and plots of the SCGAN evaluation, written into the run folder."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402


def plot_bias(rows: list[dict], path: Path) -> None:
    """Grouped bars: data / base / fine-tuned frequency per attribute."""
    fig, ax = plt.subplots(figsize=(1.8 * len(rows) + 2, 3.2))
    width = 0.27
    for k, (key, label) in enumerate((("data", "real data"), ("base", "base G"),
                                      ("scgan_uniform", "SCGAN, uniform modes"))):
        ax.bar([i + (k - 1) * width for i in range(len(rows))], [r[key] for r in rows], width, label=label)
    ax.set_xticks(range(len(rows)), [r["attribute"] for r in rows])
    ax.set_ylabel("frequency")
    ax.legend(frameon=False)
    _save(fig, path, "SCGAN bias: each attribute's frequency in the data, among the base generator's samples "
          "and among SCGAN's with uniform modes")


def plot_edits(rows: list[dict], attributes: list[str], path: Path) -> None:
    """One row of panels per attribute: success, identity, FID against the edit position."""
    metrics = ("success", "identity", "kept", "fid")
    fig, axes = plt.subplots(len(attributes), len(metrics), figsize=(3.2 * len(metrics), 2.4 * len(attributes)),
                             squeeze=False)
    for i, a in enumerate(attributes):
        for j, m in enumerate(metrics):
            ax = axes[i][j]
            for method in ("interfacegan", "scgan"):
                pts = [(r["position"], r[m]) for r in rows if r["attribute"] == a and r["method"] == method]
                if pts:
                    ax.plot(*zip(*pts), marker="o", label=method)
            ax.set_title(f"{a}: {m}", fontsize=9)
            ax.set_xlabel("edit position t")
    axes[0][0].legend(frameon=False, fontsize=8)
    _save(fig, path, "Editing per attribute: success, identity, kept attributes and FID against the edit position "
          "t, InterFaceGAN against SCGAN")


def plot_positions(positions: torch.Tensor, attributes: list[str], truth: dict[str, torch.Tensor],
                   path: Path) -> None:
    """Histogram of the training images' self-label positions per attribute, split by the
    ground-truth label where the data has one."""
    fig, axes = plt.subplots(1, len(attributes), figsize=(3.2 * len(attributes), 2.6), squeeze=False)
    for i, a in enumerate(attributes):
        ax = axes[0][i]
        if a in truth:
            for value, label in ((0, "without"), (1, "with")):
                ax.hist(positions[truth[a] == value, i].numpy(), bins=40, range=(0, 1), alpha=0.6, label=label,
                        density=True)
            ax.legend(frameon=False, fontsize=8)
        else:
            ax.hist(positions[:, i].numpy(), bins=40, range=(0, 1))
        ax.set_title(f"{a}: self-label position", fontsize=9)
    _save(fig, path, "Self-label positions of the training images per attribute (split by the true label where "
          "the data has one)")


def _save(fig, path: Path, caption: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=90, metadata={"Title": caption})  # the run report's caption
    plt.close(fig)

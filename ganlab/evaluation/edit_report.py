"""The files a latent-editing evaluation leaves in the run folder: the paper's tables
(markdown + CSV, mean over alpha), preservation-vs-change curves (PNG), and the reports on
the data and the classifiers."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ganlab.data.base import SPLITS
from ganlab.editing.correlation import label_correlation
from ganlab.metrics.curve_files import write_curves_csv

METRICS = (("target_change", "Target change rate (image classifier)"),
           ("preservation", "Attribute preservation rate"),
           ("identity", "Identity preservation"),
           ("latent_change", "Target change rate (latent classifier)"),
           ("fid", "FID of edited images against real images with the target (at alpha_max; the curves "
                   "show it at the grid's strengths)"),
           ("alpha_max", "alpha_max (target change comparable to the reference)"))


def editor_key(name: str) -> str:
    """An editor's display name as a metric key: `LW w/o dis.` -> `lw_w_o_dis`."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def metric_key(task: str) -> str:
    """A task name fit for metric keys and file names (`count_1->count_2` -> `count_1_to_count_2`)."""
    return task.replace("->", "_to_")


def _value(entry: dict, metric: str) -> float | None:
    if metric in ("fid", "alpha_max"):
        return entry.get(metric)
    points = [p[metric] for p in entry["points"] if metric in p]
    return sum(points) / len(points) if points else None


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def edit_rows(results: dict) -> tuple[list[str], list[str], dict]:
    """(editor keys, task names, {(editor, metric, task): value})."""
    tasks = list(results)
    editors = list(dict.fromkeys(k for per in results.values() for k in per))
    values = {(e, m, t): _value(results[t][e], m) for t in tasks for e in results[t] for m, _ in METRICS}
    return editors, tasks, values


def _per_task_table(title: str, columns: list[str], editors: list[str], tasks: list[str], labels: dict[str, str],
                    cells) -> list[str]:
    """A table with one row per editor and `columns` per task; cells(editor, task) -> their texts."""
    lines = [title, "", "| Method | " + " | ".join(f"{t} {c}" for t in tasks for c in columns) + " |",
             "|---|" + "---|" * (len(columns) * len(tasks))]
    lines += [f"| {labels[e]} | " + " | ".join(c for t in tasks for c in cells(e, t)) + " |" for e in editors]
    return [*lines, ""]


def operating_point_table(results: dict, editors: list[str], tasks: list[str], labels: dict[str, str]) -> list[str]:
    """The LW paper's Table 2: target change by the image classifier and by the latent
    classifier at each editor's smallest alpha where the latent classifier's change is full."""
    if not any("operating" in results[t].get(e, {}) for t in tasks for e in editors):
        return []

    def cells(e, t):
        op = results[t].get(e, {}).get("operating", {})
        return [_fmt(op.get("target_change")), _fmt(op.get("latent_change")),
                "–" if op.get("alpha") is None else f"{op['alpha']:.3g}"]

    return _per_task_table("## At the latent classifier's full target change (the LW paper's Table 2): image "
                           "classifier | latent classifier | alpha", ["image", "latent", "alpha"], editors, tasks,
                           labels, cells)


def natural_strength_table(results: dict, editors: list[str], tasks: list[str], labels: dict[str, str]) -> list[str]:
    """Target change by the image and by the latent classifier at alpha = 1."""

    def cells(e, t):
        nat = results[t].get(e, {}).get("natural", {})
        return [_fmt(nat.get("target_change")), _fmt(nat.get("latent_change"))]

    return _per_task_table("## At alpha = 1 (each editor's own strength): target change by the image classifier | "
                           "by the latent classifier", ["image", "latent"], editors, tasks, labels, cells)


def table2_order(editors: list[str]) -> list[str]:
    """LW, LT, LT w/o reg. first (the paper's rows), the other editors after, in run order."""
    first = [k for k in ("lw", "lt", "lt_w_o_reg") if k in editors]
    return first + [e for e in editors if e not in first]


def write_edit_tables(results: dict, reference: dict, labels: dict[str, str], kind: str, out_dir: Path) -> None:
    editors, tasks, values = edit_rows(results)
    n_alphas = len(next(iter(next(iter(results.values())).values()))["alphas"]) if results else 0
    table2 = operating_point_table(results, table2_order(editors), tasks, labels)
    lines = ["# Latent edits", "", *table2,
             f"Mean over {n_alphas} values of alpha below. Target change of the reference editor at alpha = 1 "
             "(validation codes): " + ", ".join(f"{t} {reference[t]:.3f}" for t in tasks), ""]
    for metric, title in METRICS:
        if all(values.get((e, metric, t)) is None for e in editors for t in tasks):
            continue
        lines += [f"## {title}", "", "| Method | " + " | ".join(tasks) + " | mean |",
                  "|---|" + "---|" * (len(tasks) + 1)]
        for e in editors:
            row = [values.get((e, metric, t)) for t in tasks]
            present = [v for v in row if v is not None]
            mean = sum(present) / len(present) if present else None
            lines.append(f"| {labels[e]} | " + " | ".join(_fmt(v) for v in row) + f" | {_fmt(mean)} |")
        lines.append("")
    if kind == "categorical" or any("latent_change" in r[e]["natural"] for r in results.values() for e in r):
        at1 = natural_strength_table(results, editors, tasks, labels)
        lines[2 + len(table2):2 + len(table2)] = at1  # both operating points ahead of the means over alpha
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "edit_table.md").write_text("\n".join(lines))
    columns = [(m, t) for m, _ in METRICS for t in tasks if any(values.get((e, m, t)) is not None for e in editors)]
    with open(out_dir / "edit_table.csv", "w", newline="") as f:
        writer = csv.writer(f)
        operating = [(m, t) for t in tasks for m in ("target_change", "latent_change", "alpha")]
        writer.writerow(["method", *[f"{m}/{t}" for m, t in columns], *[f"{m}_at1/{t}" for t in tasks
                                                                        for m in ("target_change", "latent_change")],
                         *[f"{m}_op/{t}" for m, t in operating]])
        for e in editors:
            nat = [results[t].get(e, {}).get("natural", {}).get(m) for t in tasks for m in ("target_change",
                                                                                            "latent_change")]
            nat += [results[t].get(e, {}).get("operating", {}).get(m) for m, t in operating]
            writer.writerow([labels[e], *["" if values.get((e, m, t)) is None else f"{values[(e, m, t)]:.6f}"
                                          for m, t in columns], *["" if v is None else f"{v:.6f}" for v in nat]])


def write_curves(results: dict, labels: dict[str, str], out_dir: Path) -> None:
    """Per task: attribute / identity preservation against target change (one line per
    editor, one point per alpha); without those (count editing), target change by the image
    and by the latent classifier against alpha."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    for task, per_editor in results.items():
        first = next(iter(per_editor.values()))["points"][0]
        panels = [m for m in ("preservation", "identity") if m in first]
        x_metric = "target_change" if panels else "alpha"
        panels = panels or [m for m in ("target_change", "latent_change") if m in first]
        points = {key: [{**p, **({"fid": entry["fid_curve"][i]} if i in entry.get("fid_curve", {}) else {})}
                        for i, p in enumerate(entry["points"])] for key, entry in per_editor.items()}
        if any("fid_curve" in entry for entry in per_editor.values()):
            panels.append("fid")
        fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.8), squeeze=False)
        for ax, metric in zip(axes[0], panels):
            for key, entry in per_editor.items():
                xs = entry["alphas"] if x_metric == "alpha" else [p["target_change"] for p in entry["points"]]
                shown = [(x, p[metric]) for x, p in zip(xs, points[key]) if metric in p]
                if shown:
                    ax.plot(*zip(*shown), marker="o", ms=3, label=labels[key])
            ax.set_xlabel("alpha" if x_metric == "alpha" else "target change rate")
            ax.set_ylabel(dict(METRICS).get(metric, metric))
            ax.grid(alpha=0.3)
        axes[0][0].legend(fontsize=8)
        fig.suptitle(task)
        fig.tight_layout()
        against = "target change rate" if x_metric == "target_change" else "alpha"
        caption = f"Edit {task}: {' and '.join(panels)} against {against}, one line per editor, one point per alpha"
        fig.savefig(out_dir / f"{metric_key(task)}.png", dpi=110, metadata={"Title": caption})
        plt.close(fig)
        rows = [{"task": task, "editor": labels[key], "alpha": alpha, **point}
                for key, entry in per_editor.items() for alpha, point in zip(entry["alphas"], points[key])]
        write_curves_csv(out_dir.parent, metric_key(task), "alpha", rows, panel="task", series="editor")


def write_data_reports(datamodule, scores: dict[str, float], out_dir: Path) -> None:
    """classifiers.md, latent_codes.md and attribute_correlations.csv."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = list(datamodule.label_spec.names)
    labels = "the image classifier on the rendered codes" if datamodule.source == "sample" else "the real labels"
    lines = ["# Classifiers on held-out data", "",
             f"Image classifier on real test images; latent classifier on test codes (labels: {labels}).",
             "", "| label | image acc | image AUC | latent acc | latent AUC |", "|---|---|---|---|---|"]
    for n in ["", *names]:
        cells = [scores.get(f"test/{who}_{m}{'_' + n if n else ''}") for who in ("image_classifier",
                                                                                  "latent_classifier")
                 for m in ("acc", "auc")]
        lines.append(f"| {n or 'mean'} | " + " | ".join(_fmt(c) for c in cells) + " |")
    (out_dir / "classifiers.md").write_text("\n".join(lines) + "\n")

    train = datamodule.labels("train")
    corr = label_correlation(train)
    with open(out_dir / "attribute_correlations.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["", *names])
        for n, row in zip(names, corr.tolist()):
            writer.writerow([n, *[f"{v:.4f}" for v in row]])

    columns = sorted({t.target_column for t in datamodule.tasks} | {t.source_column for t in datamodule.tasks})
    lines = ["# Latent codes", "", f"source: {datamodule.source}; cache: {datamodule.cache_path}", "",
             "| split | codes | " + " | ".join(f"{t.name} P- / P+" for t in datamodule.tasks) + " |",
             "|---|---|" + "---|" * len(datamodule.tasks)]
    for split in SPLITS:
        lab = datamodule.labels(split)
        lines.append(f"| {split} | {len(lab)} | " + " | ".join(
            f"{int(t.sources(lab).sum())} / {int(t.targets(lab).sum())}" for t in datamodule.tasks) + " |")
    lines += ["", "Prevalence per label (train): " + ", ".join(f"{n} {float(v):.3f}" for n, v in zip(names,
                                                                                                   train.mean(0))),
              "", f"## Counts per combination of {', '.join(names[c] for c in columns)} (train)", "",
              "| " + " | ".join(names[c] for c in columns) + " | codes |", "|" + "---|" * (len(columns) + 1)]
    counts = datamodule.combination_counts("train", columns)
    for combo, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        lines.append("| " + " | ".join(str(v) for v in combo) + f" | {n} |")
    (out_dir / "latent_codes.md").write_text("\n".join(lines) + "\n")

"""SCGAN evaluation: generative bias and editing at the tails, as tables (markdown + CSV) and
PNG plots in the run folder.

- Generative bias: how often each chosen attribute appears (independent classifier) in
  `num_samples` samples of the base generator, of the fine-tuned one with every attribute's
  mode drawn uniformly over its range, and in the real data.
- Generator realism: what fine-tuning cost the generator itself. Every label's frequency
  and the FID / precision / recall of the base G, of the fine-tuned G at the self-labels of
  the base images (the data's own modes), and of the fine-tuned G with uniform modes.
- Editing at the tails (the authors' protocol: generated sources, so no inversion error
  enters): sources are draws of z whose base image and SCGAN image both lack the attribute;
  SCGAN draws a source at the self-labels of its base image (inverted and measured against
  the boundaries, as the training images were labelled); each is edited to
  positions t of the attribute's self-label range (t = 1: the largest distance seen in the
  training data; t > 1 extrapolates). SCGAN moves the mode weights and keeps the code;
  InterFaceGAN moves the base generator's code along its boundary normal (`interfacegan`:
  its own boundaries, scaled by the same training images' range along them; None: the
  self-labels' boundaries) to the signed distance at the same position. Scored: success
  (classifier), identity (similarity to the unedited source of the same method), other
  attributes kept, FID of the edited images against real images that have the attribute.
- Tails check, at matched success: InterFaceGAN's strongest edit with success >=
  `success_target` against SCGAN's mildest edit with at least that success (bisected
  between grid positions, `match_steps`): does SCGAN keep identity better, with a lower FID?"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance

from ganlab.data.resize import resize
from ganlab.editing.mode_edit import discriminator_levels, pivotal_tuning, refine_codes, set_position
from ganlab.editing.self_labels import SelfLabels, level_labels, rate_at_uniform_levels, uniform_levels
from ganlab.evaluation.scgan_report import plot_bias, plot_edits, plot_positions
from ganlab.metrics.curve_files import write_curves_csv
from ganlab.metrics.precision_recall import precision_recall
from ganlab.metrics.tables import write_records
from ganlab.nets.mode import evaluating
from ganlab.reports.grid import Grid, save_grid

log = logging.getLogger("ganlab")
METHODS = ("interfacegan", "scgan")


class SCGANEvaluation:
    """classifier: zoo attribute classifier over `label_names` (None: no frequencies, success
    or tails check); identity: `.similarity(a, b)` (None: skipped); features: `.features(x)`
    for FID (None: skipped); interfacegan: a boundary source (ganlab.editing.boundary_sources)
    for the InterFaceGAN baseline (None: the self-labels' boundaries). max_batches (debug
    runs): sample counts capped at max_batches * batch_size, only the mildest and strongest
    edit positions, at most 2 grid rows."""

    def __init__(self, classifier: nn.Module | None, identity: nn.Module | None, features: nn.Module | None,
                 label_names: list[str], interfacegan=None, stage: str = "scgan", num_samples: int = 10000,
                 edit_samples: int = 1000,
                 positions: list[float] = (0.5, 0.625, 0.75, 0.875, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0),
                 success_target: float = 0.8,
                 batch_size: int = 500, seed: int = 12345, grid_images: int = 6, grid_size: int = 128,
                 match_steps: int = 5, refine_steps: int = 0, pti_steps: int = 0, max_batches: int | None = None):
        self.classifier, self.identity, self.features = classifier, identity, features
        self.interfacegan = interfacegan
        self.label_names, self.stage = list(label_names), stage
        limit = (lambda n: n) if max_batches is None else (lambda n: min(n, max_batches * batch_size))
        self.num_samples, self.edit_samples = limit(num_samples), limit(edit_samples)
        self.label_limit = None if max_batches is None else max_batches * batch_size
        self.positions, self.success_target, self.match_steps = sorted(positions), success_target, match_steps
        self.grid_images, self.refine_steps, self.pti_steps = grid_images, refine_steps, pti_steps
        if max_batches is not None:  # a quick look: the mildest and the strongest edit, 2 grid rows
            self.positions, self.grid_images = [self.positions[0], self.positions[-1]], min(grid_images, 2)
        self.batch_size, self.seed, self.grid_size = batch_size, seed, grid_size

    def __call__(self, stages: dict, datamodule, out_dir: Path) -> dict[str, float]:
        gan, out_dir = stages[self.stage], Path(out_dir)
        for net in (self.classifier, self.identity, self.features):
            if net is not None:
                net.to(gan.device)
        self.columns = {a: self._column(a) for a in gan.attributes}
        train = datamodule.split("train")
        real_codes = gan.invert(train, self.label_limit)
        self.ifg_labels = self._interfacegan_labels(gan, real_codes, train)
        positions = gan.labels.positions(real_codes).cpu()
        truth = self._truth(datamodule, "train")
        metrics = self._self_label_report(gan, positions, truth, out_dir)
        metrics.update({"test/label_seconds": float(gan.seconds[0]), "test/finetune_seconds": float(gan.seconds[1]),
                        **{f"test/load_average_{m}min": float(v) for m, v in zip((1, 5, 15), gan.load_average)}})
        if self.classifier is not None:
            metrics.update(self._bias(gan, datamodule, positions, truth, out_dir))
            metrics.update(self._tails(gan, datamodule, out_dir))
        self._grids(gan, datamodule, out_dir / "samples" / "eval")
        return metrics

    def _column(self, attribute: str) -> int | None:
        return self.label_names.index(attribute) if attribute in self.label_names else None

    # ------------------------------------------------------------- sampling
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

    # ------------------------------------------------------------ self-labels
    def _interfacegan_labels(self, gan, real_codes: torch.Tensor, train) -> SelfLabels:
        """The baseline's boundaries, with the range of the training images' distances to them."""
        if self.interfacegan is None:
            return gan.labels
        normals, offsets = self.interfacegan(gan.base, max_samples=self.label_limit, real_codes=real_codes,
                                             real_images=train)
        labels = SelfLabels(len(gan.attributes), gan.base.style_dim).to(real_codes.device)
        labels.fit(normals.to(real_codes), offsets.to(real_codes), real_codes)
        return labels

    def _self_label_report(self, gan, positions: torch.Tensor, truth: dict, out_dir: Path) -> dict[str, float]:
        """Where the training images fall on each attribute's range (histogram plot)."""
        truth = {a: t[: len(positions)] for a, t in truth.items()}
        plot_positions(positions, gan.attributes, truth, out_dir / "self_label_positions.png")
        high = (level_labels(positions)[..., 2] > 0.5).float().mean(0)
        return {f"test/self_label_high_{a}": float(h) for a, h in zip(gan.attributes, high)}

    def _truth(self, datamodule, split: str) -> dict[str, torch.Tensor]:
        """Ground-truth 0/1 labels of the chosen attributes, where the data has them."""
        names = list(datamodule.label_spec.names)
        if datamodule.label_spec.kind != "binary":
            return {}
        labels = datamodule.labels(split)
        return {a: labels[:, names.index(a)] for a in self.columns if a in names}

    # ---------------------------------------------------------- generative bias
    def _bias(self, gan, datamodule, positions: torch.Tensor, truth: dict, out_dir: Path) -> dict[str, float]:
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
        metrics.update(self._realism(samples, freq, datamodule, out_dir))
        return metrics

    def _self_levels(self, gan, images: torch.Tensor) -> torch.Tensor:
        """Self-labels [N, A, 3] of images, inverted into the base G's W as the training images
        were (the module's own `real_levels`, batched)."""
        return torch.cat([gan.real_levels(c) for c in images.split(self.batch_size)])

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

    # ------------------------------------------------------------- editing
    def _tails(self, gan, datamodule, out_dir: Path) -> dict[str, float]:
        w_base, w_sc = self._codes(gan, self.edit_samples, self.seed + 2)
        base_images = self._draw_base(gan, w_base)
        src_levels = self._self_levels(gan, base_images)
        sources = {"interfacegan": base_images, "scgan": gan.draw(w_sc, src_levels)}
        verdicts = {m: self._predict(x) for m, x in sources.items()}
        reference = self._reference_features(datamodule)
        rows, matched, metrics = [], [], {}
        for i, a in enumerate(gan.attributes):
            col = self.columns[a]
            keep = (verdicts["interfacegan"][:, col] == 0) & (verdicts["scgan"][:, col] == 0)
            if keep.sum() < 2:  # the same z lacks it under both generators
                log.warning("SCGAN eval: fewer than 2 sources lack %s; its edits are skipped", a)
                continue
            grid, match = self._edit_attribute(gan, i, w_base[keep], w_sc[keep], src_levels[keep],
                                               {m: x[keep] for m, x in sources.items()},
                                               {m: v[keep] for m, v in verdicts.items()}, reference.get(a))
            rows += grid
            matched += [match] if match else []
        write_records(rows, out_dir, "editing",
                      "Edits of generated sources lacking the attribute, to position t of its self-label range "
                      "(t = 1: the largest training distance). success: classifier; identity: similarity to the "
                      "unedited source; kept: share of the other attributes unchanged; fid: edited vs real images "
                      "with the attribute.")
        plot_edits(rows, gan.attributes, out_dir / "editing.png")
        write_curves_csv(out_dir, "edit_strength", "position", rows, panel="attribute", series="method")
        checks = self._checks(rows + matched, gan.attributes)
        write_records(checks, out_dir, "tails_check",
                      f"Matched success: InterFaceGAN's strongest edit with success >= {self.success_target} "
                      "(ifg_position) against SCGAN's mildest edit with at least its success (sc_position, found "
                      f"between grid positions in {self.match_steps} bisection steps); passed: SCGAN's identity "
                      "higher and FID lower. Blank: InterFaceGAN never reaches the target.")
        for row in checks:  # NaN (a score not measured) stays in the tables only
            a = row["attribute"]
            metrics.update({f"test/tail_{k}_{a}": v for k, v in row.items() if isinstance(v, float) and v == v})
        return metrics

    def _edit_attribute(self, gan, i: int, w_base, w_sc, levels, sources: dict, verdicts: dict,
                        reference: torch.Tensor | None) -> tuple[list[dict], dict | None]:
        """Both methods' edits of attribute i at every grid position, and SCGAN's edit at the
        position matching InterFaceGAN's success (None where there is nothing to refine)."""
        a = gan.attributes[i]
        col = self.columns[a]

        def edit_scgan(t: float) -> tuple[torch.Tensor, torch.Tensor]:
            """The edit at t and its classifier verdicts, which bisection and scores share."""
            x = gan.draw(w_sc, set_position(levels, i, t), batch_size=self.batch_size)
            return x, self._predict(x)

        def scores(method: str, x: torch.Tensor, pred: torch.Tensor | None = None) -> dict[str, float]:
            return self._scores(x, sources[method], verdicts[method], col, reference, pred)

        grid = []
        for t in self.positions:
            moved = interfacegan_to(self.ifg_labels, w_base, i, t)
            grid.append({"attribute": a, "position": t, "method": "interfacegan",
                         **scores("interfacegan", self._draw_base(gan, moved))})
            grid.append({"attribute": a, "position": t, "method": "scgan", **scores("scgan", *edit_scgan(t))})
        found = self._matching_position(grid, edit_scgan, lambda edit: float(edit[1][:, col].mean()))
        match = None if found is None else {"attribute": a, "position": found[0], "method": "scgan",
                                            **scores("scgan", *found[1])}
        return grid, match

    def _matching_position(self, grid: list[dict], edit, success) -> tuple[float, object] | None:
        """(SCGAN's mildest position reaching InterFaceGAN's matched success, its edit), by
        bisection between the grid position below it and the first one at or above it: on the
        grid alone SCGAN overshoots (e.g. success 0.92 where 0.89 was asked), paying identity
        for success it was not asked for. edit(t) draws the edit at t (with whatever success
        needs) and success(edit) scores it; the edit measured is returned, not drawn again. None: nothing to
        refine (no InterFaceGAN match, SCGAN never matches, or already at its first grid position)."""
        ifg, hi = self._matched({(r["method"], r["position"]): r for r in grid})
        if hi is None or hi == self.positions[0] or self.match_steps == 0:
            return None
        target, lo = ifg["success"], max(t for t in self.positions if t < hi)
        found = None
        for _ in range(self.match_steps):
            mid = (lo + hi) / 2
            x = edit(mid)
            if success(x) >= target:
                hi, found = mid, (mid, x)
            else:
                lo = mid
        return found

    def _matched(self, by: dict) -> tuple[dict | None, float | None]:
        """(InterFaceGAN's strongest edit with success >= success_target, SCGAN's mildest
        position with at least its success) among rows by (method, position); None where
        there is none."""
        reached = _succeeding(by, "interfacegan", self.success_target)
        if not reached:
            return None, None
        ifg = by["interfacegan", max(reached)]
        above = _succeeding(by, "scgan", ifg["success"])
        return ifg, (min(above) if above else None)

    def _scores(self, x, source, verdict, col: int, reference: torch.Tensor | None,
                pred: torch.Tensor | None = None) -> dict[str, float]:
        """Scores of edits x; pred: their classifier verdicts where already taken."""
        pred = self._predict(x) if pred is None else pred
        others = torch.ones(pred.shape[1], dtype=torch.bool)
        others[col] = False
        scores = {"success": float(pred[:, col].mean()), "kept": float((pred == verdict)[:, others].float().mean())}
        scores["identity"] = float(self.identity.similarity(x, source).mean()) if self.identity is not None \
            else float("nan")
        scores["fid"] = edit_fid(self._embed(x), reference) if reference is not None else float("nan")
        return scores

    def _embed(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.features.features(c) for c in x.split(self.batch_size)]).cpu()

    def _reference_features(self, datamodule) -> dict[str, torch.Tensor]:
        """Features of every real image (all splits) that has each attribute."""
        if self.features is None:
            return {}
        out = {}
        for split in ("train", "val", "test"):
            truth = self._truth(datamodule, split)
            data = datamodule.split(split)
            for a, has in truth.items():
                index = has.nonzero().flatten()
                if len(index):
                    out.setdefault(a, []).append(self._embed(data[index][0]))
        return {a: torch.cat(f) for a, f in out.items() if sum(len(x) for x in f) >= 2}

    def _checks(self, rows: list[dict], attributes: list[str]) -> list[dict]:
        """Per attribute, at matched success: InterFaceGAN's strongest edit with success >=
        success_target against SCGAN's mildest edit with at least that success (the two
        methods' positions are not the same strength: a mode weight and a distance in W).
        passed: SCGAN has higher identity and lower FID; NaN where InterFaceGAN never reaches
        the target (best_success: each method's highest success over all positions)."""
        out = []
        for a in attributes:
            by = {(r["method"], r["position"]): r for r in rows if r["attribute"] == a}
            best = {m: max((r["success"] for (method, _), r in by.items() if method == m), default=float("nan"))
                    for m in METHODS}
            row = {"attribute": a, "ifg_best_success": best["interfacegan"], "sc_best_success": best["scgan"]}
            ifg, sc_position = self._matched(by)
            if ifg is None:
                out.append({**row, "ifg_position": float("nan"), "sc_position": float("nan"), "passed": float("nan")})
                continue
            sc = by["scgan", sc_position] if sc_position is not None else {
                "position": float("nan"), "success": best["scgan"], "identity": float("nan"), "fid": float("nan")}
            passed = sc_position is not None and sc["identity"] > ifg["identity"] and sc["fid"] < ifg["fid"]
            out.append({**row, "ifg_position": float(ifg["position"]), "sc_position": float(sc["position"]),
                        "passed": float(passed), **{f"{m}_{k}": float(r[k]) for m, r in (("ifg", ifg), ("sc", sc))
                                                    for k in ("success", "identity", "fid")}})
        return out

    # ---------------------------------------------------------------- grids
    def _grids(self, gan, datamodule, folder: Path) -> None:
        """Generated sources edited along each attribute (per source, a row of InterFaceGAN
        edits on the base generator, then a row of SCGAN mode edits; first column the
        unedited source), and real test images: the image, its inversion by the base
        generator, by SCGAN (modes from the discriminator's head; W refined by `refine_steps`
        of optimisation, the generator tuned around it by `pti_steps` of PTI), then SCGAN
        with each attribute moved to the top of its range."""
        n = self.grid_images
        w_base, w_sc = self._codes(gan, n, self.seed + 3)
        base_images = self._draw_base(gan, w_base)
        src = self._self_levels(gan, base_images)
        for i, a in enumerate(gan.attributes):
            cols = [base_images.unsqueeze(1), gan.draw(w_sc, src).unsqueeze(1)]
            ifg = [self._draw_base(gan, interfacegan_to(self.ifg_labels, w_base, i, t)) for t in self.positions]
            sc = [gan.draw(w_sc, set_position(src, i, t)) for t in self.positions]
            rows = torch.stack([torch.cat([cols[0], torch.stack(ifg, 1)], 1),
                                torch.cat([cols[1], torch.stack(sc, 1)], 1)], 1)  # [n, 2, 1 + T, ...]
            labels = [f"#{k} {method}" for k in range(n) for method in ("InterFaceGAN", "SCGAN")]
            self._save(Grid(rows.flatten(0, 2), 1 + len(self.positions), ["source", *self._position_names()],
                            labels), folder / f"edit_{a}.png",
                       f"Editing {a}: generated sources moved to each position t, by InterFaceGAN on the base "
                       f"generator and by SCGAN's {a} mode (rows alternate)")
        test = datamodule.split("test")
        x = test[torch.arange(min(n, len(test)))][0].to(gan.device)
        w, levels = gan.inverter.invert(x), discriminator_levels(gan.d, x)
        base_recon = self._draw_base(gan, w)
        if self.refine_steps:
            w = refine_codes(gan.g_ema, w, levels, x, self.refine_steps)
        tuned = pivotal_tuning(gan.g_ema, w, levels, x, self.pti_steps) if self.pti_steps else gan.g_ema
        tops = [gan.draw(w, set_position(levels, i, 1.0), generator=tuned) for i in range(len(gan.attributes))]
        images = torch.stack([x, base_recon, gan.draw(w, levels, generator=tuned), *tops], 1).flatten(0, 1)
        columns = ["test image", "base inversion", "SCGAN inversion", *(f"{a} top" for a in gan.attributes)]
        self._save(Grid(images, 3 + len(tops), columns), folder / "real_mode_edits.png",
                   "Real test images inverted by the base generator and by SCGAN, then each SCGAN attribute "
                   "mode moved to the top of its range")

    def _position_names(self) -> list[str]:
        return [f"t = {t:g}" for t in self.positions]

    def _save(self, grid: Grid, path: Path, title: str) -> None:
        """A labelled PNG grid, each image at most grid_size px (1024 px grids would be huge)."""
        size = min(grid.images.shape[-1], self.grid_size)
        save_grid(Grid(resize(grid.images.cpu(), size), grid.ncols, grid.columns, grid.rows), path, title)


def _succeeding(by: dict, method: str, least: float) -> list[float]:
    """Positions where `method`'s success is at least `least` (by: (method, position) -> row)."""
    return [t for (m, t), r in by.items() if m == method and r["success"] >= least]


def interfacegan_to(labels, w: torch.Tensor, attribute: int, t: float) -> torch.Tensor:
    """Base-generator codes moved along the attribute's boundary normal to the signed
    distance of position t of its range (InterFaceGAN at matched strength)."""
    shift = labels.distance_at(t)[attribute] - labels.distances(w)[:, attribute]
    return w + shift.unsqueeze(1) * labels.normals[attribute]


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

"""Editing at the tails in the SCGAN evaluation: generated sources lacking an attribute,
edited by SCGAN's modes and by InterFaceGAN to each position of the attribute's range, and
the two compared at matched success."""

from __future__ import annotations

import logging
from pathlib import Path

import torch

from ganlab.evaluation.scgan_realism import edit_fid
from ganlab.evaluation.scgan_report import plot_edits
from ganlab.evaluation.scgan_samples import SCGANSamples
from ganlab.metrics.curve_files import write_curves_csv
from ganlab.metrics.tables import write_records

log = logging.getLogger("ganlab")
METHODS = ("interfacegan", "scgan")


class EditingAtTails(SCGANSamples):
    """Needs, from the protocol: identity, positions, success_target, match_steps,
    edit_samples, seed, editors (InterFaceGAN on the baseline's boundaries and the mode edit, each an
    Editor whose strength is a position of the attribute's range)."""

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
            x = gan.draw(w_sc, self.editors["scgan"].edit(levels, i, t), batch_size=self.batch_size)
            return x, self._predict(x)

        def scores(method: str, x: torch.Tensor, pred: torch.Tensor | None = None) -> dict[str, float]:
            return self._scores(x, sources[method], verdicts[method], col, reference, pred)

        grid = []
        for t in self.positions:
            moved = self.editors["interfacegan"].edit(w_base, i, t)
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


def _succeeding(by: dict, method: str, least: float) -> list[float]:
    """Positions where `method`'s success is at least `least` (by: (method, position) -> row)."""
    return [t for (m, t), r in by.items() if m == method and r["success"] >= least]

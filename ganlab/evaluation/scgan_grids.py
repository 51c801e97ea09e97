"""Image grids of the SCGAN evaluation: generated sources edited along each attribute by
both methods, and real test images inverted and moved by SCGAN's modes."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab.data.resize import resize
from ganlab.editing.mode_edit import discriminator_levels, pivotal_tuning, refine_codes, set_position
from ganlab.evaluation.scgan_samples import SCGANSamples
from ganlab.reports.grid import Grid, save_grid


class EditGrids(SCGANSamples):
    """Needs, from the protocol: positions, grid_images, grid_size, refine_steps, pti_steps,
    seed, editors."""

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
            ifg = [self._draw_base(gan, self.editors["interfacegan"].edit(w_base, i, t)) for t in self.positions]
            sc = [gan.draw(w_sc, self.editors["scgan"].edit(src, i, t)) for t in self.positions]
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

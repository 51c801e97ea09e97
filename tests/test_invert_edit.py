"""+experiment=invert_edit as a user sweeps it: a 2 x 2 x 2 corner of the inverter x editor x
degradation grid with debug=fdr, and scripts/collect.py's matrix of it."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ganlab.editing.editor import alpha_column
from ganlab.evaluation.invert_edit_parts import WPlusEditor

from .report_checks import check_run_report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corner(tmp_path_factory, zoo_cache) -> Path:
    tmp = tmp_path_factory.mktemp("invert_edit")
    env = {k: v for k, v in os.environ.items() if k not in ("WANDB_MODE", "WANDB_API_KEY")}
    env.update(GANLAB_CACHE=str(zoo_cache), HOME=str(tmp), OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "train.py", "-m", "+experiment=invert_edit", "debug=fdr",
                           "inverter=psp,uda", "editor=interfacegan,lw", "degradation=none,rain",
                           f"paths.log_dir={tmp / 'outputs'}"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    sweeps = list((tmp / "outputs" / "train" / "multiruns").iterdir())
    assert len(sweeps) == 1, sweeps
    return sweeps[0]


def test_every_cell_writes_a_complete_run_folder(corner):
    cells = sorted(p for p in corner.iterdir() if p.is_dir())
    assert len(cells) == 8, cells
    for cell in cells:
        metrics = json.loads((cell / "metrics.json").read_text())
        assert (cell / "config.yaml").is_file()
        assert any(k.startswith("test/") for k in metrics), metrics
        assert all(v == v for v in metrics.values()), (cell, "NaN metric")
        check_run_report(cell)


def test_collect_prints_the_matrix_of_every_cell(corner):
    done = subprocess.run([sys.executable, "scripts/collect.py", str(corner)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "### degradation=none" in done.stdout and "### degradation=rain" in done.stdout
    with (corner / "matrix.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert sorted((r["inverter"], r["editor"], r["degradation"]) for r in rows) == sorted(
        (i, e, d) for i in ("psp", "uda") for e in ("interfacegan", "lw") for d in ("none", "rain"))
    for row in rows:
        for score in ("success", "preservation", "id", "fid", "cf_moved_toward"):
            assert math.isfinite(float(row[score])), (row, score)
        # degraded inputs are also scored against the edit of the clean image; clean ones are not
        assert (row["success_drop"] != "") == (row["degradation"] == "rain"), row
        assert float(row["edited_images"]) == 8 * 5  # debug: 8 images x the 5 edits of the latent set



def test_the_wandb_group_holds_the_matrix_as_one_table(corner, tmp_path):
    env = {**os.environ, "WANDB_MODE": "offline", "WANDB_DIR": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "scripts/collect.py", str(corner), "--wandb-matrix", "ganlab/corner"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    tables = list(tmp_path.rglob("matrix_*.table.json"))
    assert len(tables) == 1, tables
    logged = json.loads(tables[0].read_text())
    assert len(logged["data"]) == 8 and {"inverter", "editor", "success", "id"} <= set(logged["columns"])


class _Shift:
    """A W editor: w + strength * d_task (an affine editor's simplest case)."""

    def __init__(self, directions: torch.Tensor):
        self.directions, self.tasks = directions, ["a", "b"]

    def edit(self, codes, task, strength):
        return codes + alpha_column(strength, codes) * self.directions[task]


def test_a_w_editor_edits_every_wplus_entry_with_each_code_own_strength():
    directions = torch.randn(2, 4)
    editor = WPlusEditor(_Shift(directions), latent_dim=4)
    w = torch.randn(3, 4)
    strength = torch.tensor([1.0, -2.0, 0.5])
    edited = editor.edit(w[:, None].expand(3, 5, 4), 1, strength)
    assert edited.shape == (3, 5, 4)
    assert torch.allclose(edited, (w + strength[:, None] * directions[1])[:, None].expand(3, 5, 4))
    assert torch.allclose(editor.edit(w[:, None].expand(3, 5, 4), 0, 2.0)[:, 3], w + 2 * directions[0])
    with pytest.raises(ValueError, match="W has 4"):
        editor.edit(torch.randn(3, 5, 6), 0, 1.0)


def test_an_editor_of_wplus_codes_edits_them_as_they_are():
    shift = _Shift(torch.randn(2, 5, 4))  # a direction per W+ entry
    shift.n_latent = 5
    codes = torch.randn(3, 5, 4)
    assert torch.allclose(WPlusEditor(shift, latent_dim=4).edit(codes, 0, 1.5), codes + 1.5 * shift.directions[0])


def test_matched_identity_reads_success_off_the_other_curve_at_the_reference_identity():
    sys.path.insert(0, str(ROOT / "scripts" / "reproduce"))
    from matched_identity import success_at, table

    # identity falls and success rises with strength
    base = [(0.5, 0.2, 0.9), (1.0, 0.4, 0.8), (2.0, 0.6, 0.6)]
    other = [(0.5, 0.3, 0.95), (1.0, 0.7, 0.75), (2.0, 0.9, 0.5)]
    assert success_at(other, 0.8) == pytest.approx(0.6)  # a quarter of the way from 0.75 to 0.95
    assert success_at(other, 0.99) is None  # outside the measured identities: no extrapolation
    header, rows = table({"base": {"Hat": base}, "sc": {"Hat": other}}, "base")
    assert header[-1] == "difference (sc - base)"
    assert rows[1] == ["Hat", 1.0, 0.4, 0.8, 0.6, 0.2]
    assert rows[2][4] == pytest.approx(0.82)  # at identity 0.6: 0.9 - 0.4 * (0.9 - 0.7)

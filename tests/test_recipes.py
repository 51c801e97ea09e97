"""Every recipe runs end to end for one batch per stage (debug=fdr), writing the run
folder's files; the zoo models they need are trained the same way, once (conftest's zoo_cache)."""

import csv
import json
from pathlib import Path

import pytest

from ganlab.runner.run import train

from .conftest import CONFIG_DIR
from .data_files import write_celeba
from .report_checks import check_run_report

EXPERIMENTS = sorted(p.stem for p in (Path(CONFIG_DIR) / "experiment").glob("*.yaml"))
NEEDS_REAL_DATA = {"icgan_celeba", "lw_ffhq", "scgan_ffhq"}  # tiny folders: test_real_data_recipes, test_scgan
# test_uda_recipes.py (one zoo cache) and test_invert_edit.py (a sweep of the recipe's grid)
COVERED_ELSEWHERE = {"psp_supervised", "e4e_supervised", "hfgi_supervised", "invert_edit"}


@pytest.mark.parametrize("experiment", sorted(set(EXPERIMENTS) - NEEDS_REAL_DATA - COVERED_ELSEWHERE))
def test_recipe_fast_dev_run(compose_cfg, zoo_cache, experiment):
    cfg = compose_cfg(f"+experiment={experiment}", "debug=fdr", cache=zoo_cache)
    metrics = train(cfg)
    run_dir = Path(cfg.paths.output_dir)
    assert json.loads((run_dir / "metrics.json").read_text()) == pytest.approx(metrics)
    assert (run_dir / "config.yaml").is_file()
    assert any(k.startswith("test/") for k in metrics), metrics
    assert all(v == v for v in metrics.values()), "NaN metric"
    check_run_report(run_dir)
    if experiment == "scgan":
        _check_generator_realism(run_dir, metrics)
    if experiment == "lw":  # realism against strength: FID at the grid's strengths, alpha_max among them
        with next((run_dir / "curves").glob("*.csv")).open() as f:
            rows = list(csv.DictReader(f))
        with_fid = [r for r in rows if r.get("fid")]
        assert with_fid and len(with_fid) < len(rows)
    if experiment.startswith("icgan"):  # the headline edit success and the all-pairs one beside it
        assert 0 <= metrics["test/edit_success"] <= 1 and 0 <= metrics["test/edit_success_all"] <= 1
        assert metrics["test/psnr"] >= metrics["test/psnr_pooled"]
        if experiment == "icgan_synthfaces":  # attribute flips always ask for the other value
            assert metrics["test/edit_success_all"] == metrics["test/edit_success"]


def _check_generator_realism(run_dir: Path, metrics: dict) -> None:
    """SCGAN reports what fine-tuning did to its generator: every label's frequency in three
    sample sets (the base row agrees with the bias table) and their FID / precision / recall."""
    sets = ("base", "scgan_self_labels", "scgan_uniform")
    with (run_dir / "generator_realism.csv").open() as f:
        rows = {r["label"]: r for r in csv.DictReader(f)}
    for a in ("Pale_Skin", "Eyeglasses", "Wearing_Hat", "Smiling"):
        assert float(rows[a]["base"]) == pytest.approx(metrics[f"test/freq_base_{a}"])
        assert float(rows[a]["scgan_uniform"]) == pytest.approx(metrics[f"test/freq_scgan_{a}"])
        assert 0 <= metrics[f"test/freq_data_uniform_levels_{a}"] <= 1  # synthfaces has true labels
    for k in sets:
        assert metrics[f"test/gen_fid_{k}"] >= 0 and 0 <= metrics[f"test/gen_recall_{k}"] <= 1
        assert float(rows["fid (features)"][k]) == pytest.approx(metrics[f"test/gen_fid_{k}"])


def test_real_data_recipes(compose_cfg, tmp_path):
    """icgan_celeba end to end on a tiny CelebA folder in the published layout (its zoo
    classifier trains on the same folder)."""
    root = write_celeba(tmp_path / "celeba", n=12)
    cfg = compose_cfg("+experiment=icgan_celeba", "debug=fdr", f"data.root={root}", "data.batch_size=4",
                      "data.num_workers=0")
    metrics = train(cfg)
    assert "test/edit_success" in metrics and metrics["test/edit_success"] == metrics["test/edit_success"]
    assert 0 <= metrics["test/supported/share"] <= 1  # binary attributes: edits the training labels support
    check_run_report(Path(cfg.paths.output_dir))

"""The latent-editing recipes' files and the paper-scale recipe on tiny files (the others run
in test_recipes with debug=fdr)."""

import csv
import json
import sys
from pathlib import Path

import pytest
import torch
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from omegaconf import OmegaConf

from ganlab import pretrained
from ganlab.compose_config import compose
from ganlab.config.validate import ConfigError
from ganlab.evaluation.edit_report import editor_key, metric_key
from ganlab.nets.stylegan2 import Generator, save_rosinality
from ganlab.runner.run import evaluate, train
from ganlab.zoo_catalog import cache_key, recipe_overrides

from .conftest import ROOT, run_overrides
from .data_files import write_celeba
from .report_checks import check_run_report


def test_lw_ffhq_on_a_tiny_checkpoint_and_celeba_folder(compose_cfg, tmp_path):
    """lw_ffhq end to end: a rosinality checkpoint (architecture read from it), a CelebA folder
    in its published layout; the run folder holds the paper's tables and curves."""
    root = write_celeba(tmp_path / "celeba", n=12)
    checkpoint = save_rosinality(tmp_path / "g.pt", Generator(32, style_dim=16, n_mlp=1, channels=8))
    cfg = compose_cfg("+experiment=lw_ffhq", "debug=fdr", f"data.images.root={root}", "data.images.num_workers=0",
                      "data.images.batch_size=4", f"generator.checkpoint={checkpoint}", "method.evaluate.identity=null",
                      "method.evaluate.realism=null",
                      # 8 W+ layers at 32 px (the recipe's 11 are for 18 at 1024 px)
                      "method.stages.lt.module.edit_layers=5", "method.stages.lt_noreg.module.edit_layers=5")
    metrics = train(cfg)
    run = Path(cfg.paths.output_dir)
    assert {"test/lw/target_change", "test/lt_w_o_reg/preservation", "test/interfacegan/alpha_max"} <= set(metrics)
    assert json.loads((run / "metrics.json").read_text()) == metrics
    rows = list(csv.reader((run / "edit_table.csv").open()))
    assert [r[0] for r in rows[1:]] == ["LW", "LW w/o dis.", "LT", "LT w/o reg.", "InterFaceGAN", "GANSpace"]
    table = (run / "edit_table.md").read_text()
    assert "## Attribute preservation rate" in table and "| LT w/o reg. |" in table
    for name in ("classifiers.md", "latent_codes.md", "attribute_correlations.csv"):
        assert (run / name).is_file(), name
    edits = OmegaConf.load(run / "config.yaml").data_info.edits
    assert edits and all((run / "curves" / f"{e}.png").is_file() and (run / "samples" / "eval" / f"{e}.png").is_file()
                         for e in edits)
    check_run_report(run)


@pytest.fixture(scope="module")
def wplus_run(tmp_path_factory) -> tuple[Path, dict]:
    """lw_multidigits with debug=fdr on W+ codes of real canvases: (its run folder, its metrics)."""
    folder = tmp_path_factory.mktemp("wplus")
    cfg = compose(run_overrides(folder / "run", folder / "cache", "+experiment=lw_multidigits", "debug=fdr",
                                "data.source=invert", "inverter=psp_multidigits32", "editor.layout=per_layer"))
    return Path(cfg.paths.output_dir), train(cfg)


def test_lw_multidigits_on_real_canvases_inverted_by_the_zoo_psp(wplus_run):
    """The paper's codes: data.source=invert with the zoo's trained pSp encoder gives W+
    codes of the real canvases, labelled with their true counts; LW's map one per W+ layer;
    the edit table leads with the paper's Table 2 operating point."""
    run, metrics = wplus_run
    expected = {"test/lw/target_change_at1", "test/lw/target_change_op", "test/lt/alpha_op_count_1_to_count_2"}
    assert expected <= set(metrics)
    table = (run / "edit_table.md").read_text()
    assert table.index("Table 2") < table.index("At alpha = 1") < table.index("Target change rate (image")
    assert "| LT |" in table and "| LT w/o reg. |" in table
    assert "source: invert" in (run / "latent_codes.md").read_text()
    assert "labels: the real labels" in (run / "classifiers.md").read_text()
    assert len(OmegaConf.load(run / "config.yaml").data_info.code_shape) == 2  # [n_latent, style_dim]: W+
    check_run_report(run)


def test_edit_geometry_reads_each_editor_at_its_operating_point(wplus_run):
    """scripts/reproduce/lw_edit_geometry.py on a finished run: every trained editor, at the
    alpha the run bisected, with the run's own target changes beside the geometry."""
    sys.path.insert(0, str(ROOT / "scripts" / "reproduce"))
    from lw_edit_geometry import geometry

    run, metrics = wplus_run
    found = geometry(run, blur=0.5)
    edits = OmegaConf.load(run / "config.yaml").data_info.edits
    assert set(found) == {(edit, editor) for edit in edits for editor in ("LW", "LT", "LT w/o reg.")}
    for (edit, editor), scores in found.items():
        key, suffix = f"test/{editor_key(editor)}/", metric_key(edit)
        assert scores["alpha"] == metrics[f"{key}alpha_op_{suffix}"]
        assert scores["image change"] == metrics[f"{key}target_change_op_{suffix}"]
        assert -1 <= scores["cos to plan"] <= 1 and scores["norm ratio"] >= 0


def test_edit_geometry_scores_displacements_against_the_plan():
    sys.path.insert(0, str(ROOT / "scripts" / "reproduce"))
    from lw_edit_geometry import displacement_scores

    planned = torch.randn(50, 8)
    means = planned.mean(0)
    along = displacement_scores(2 * planned, planned, means)
    assert along == pytest.approx({"cos to plan": 1.0, "cos to means": 1.0, "norm ratio": 2.0})
    across = displacement_scores(-0.5 * planned, planned, means)
    assert across == pytest.approx({"cos to plan": -1.0, "cos to means": -1.0, "norm ratio": 0.5})


def test_lw_on_inverted_faces_is_scored_against_the_true_counterfactuals(compose_cfg, zoo_cache):
    """+experiment=lw on codes of real synthfaces inverted by the zoo's pSp: every editor's
    edits are also scored against each image's true counterfactual."""
    cfg = compose_cfg("+experiment=lw", "debug=fdr", "data.source=invert", "inverter=psp_synthfaces32",
                      cache=zoo_cache)
    metrics = train(cfg)
    edits = OmegaConf.load(Path(cfg.paths.output_dir) / "config.yaml").data_info.edits
    for editor in ("lw", "lt", "interfacegan"):
        assert 0 <= metrics[f"test/{editor}/cf_moved_toward"] <= 1
        for edit in edits:
            assert metrics[f"test/{editor}/cf_distance_{edit}"] > 0, (editor, edit)


def test_the_sampled_codes_switch_composes_without_an_inverter():
    """The documented switch back to the generator's sampled W (data.source=sample '~inverter')
    composes, and leaves the latent-code data no inverter to refuse."""
    cfg = compose(["+experiment=lw_multidigits", "data.source=sample", "~inverter"])
    assert cfg.data.source == "sample" and cfg.data.inverter is None
    assert compose(["+experiment=lw_multidigits"]).data.inverter is not None  # the default inverts real canvases


def test_the_row_layout_trains_its_own_zoo_models():
    """zoo_overrides=['data.layout=row'] reaches the zoo's recipes: the generator and the count
    classifier of row canvases are other models than the grid's."""
    for name in ("stylegan2-multidigits32", "classifier-multidigits32"):
        assert cache_key(name, ("data.layout=row",)) != cache_key(name, ()), name


def test_the_row_layout_psp_inverts_into_the_row_layout_generator(monkeypatch):
    """The pSp the zoo trains on row canvases loads the generator of row canvases (the same
    zoo overrides a row-layout LW run gives its own generator), not the grid's."""
    asked = []

    def record(name, **kwargs):
        asked.append((name, list(kwargs["overrides"])))
        raise LookupError("recorded")

    monkeypatch.setattr(pretrained.zoo, "load", record)
    for layout in ("row", "grid"):
        cfg = compose([*recipe_overrides("psp-multidigits32"), f"data.layout={layout}"])
        with pytest.raises(InstantiationException, match="recorded"):  # hydra wraps the recorder's stop
            instantiate(cfg.generator)
    assert asked == [("stylegan2-multidigits32", [f"data.layout={layout}"]) for layout in ("row", "grid")]
    assert cache_key("stylegan2-multidigits32", ("data.layout=grid",)) == cache_key("stylegan2-multidigits32", ())


def test_eval_restores_the_sibling_editors_from_the_stage_cache(compose_cfg, tmp_path):
    """eval.py from the last stage's checkpoint (LT w/o reg.) gives the training run's
    metrics: the other editors (LW, LT), not part of that checkpoint, come from the cache."""
    quick = ["+experiment=lw_multidigits", "debug=limit", "data.fast_dev_run=true"]
    cfg = compose_cfg(*quick, cache=tmp_path / "cache")
    trained = train(cfg)
    ckpt = Path(cfg.paths.output_dir) / "checkpoints" / "lt_noreg" / "last.ckpt"
    again = evaluate(compose_cfg(*quick, f"ckpt_path={ckpt}", cache=tmp_path / "cache", config_name="eval"))
    assert trained["test/lw/fid"] >= 0 and trained["test/lt_w_o_reg/fid"] >= 0  # realism of the edits
    edits = {k: v for k, v in trained.items() if k.startswith("test/")}
    assert edits and {k: again[k] for k in edits} == edits
    for cached in (tmp_path / "cache" / "stages").glob("lt-*.pt"):
        cached.unlink()
    with pytest.raises(ConfigError, match="'lt' is not part of 'lt_noreg'"):
        evaluate(compose_cfg(*quick, f"ckpt_path={ckpt}", cache=tmp_path / "cache", config_name="eval"))

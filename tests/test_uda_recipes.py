"""The inversion recipes end to end with debug=fdr, sharing one zoo cache (the generator,
classifier and identity net are trained once, in their 1-step debug versions): the
supervised baselines, the UDA ablation switch with HFGI's ADA (and its run re-evaluated from
the folder), and the recipe at 256 px on an FFHQ-layout image folder with a rosinality
checkpoint (the GPU configuration, run here on the CPU)."""

import json
from pathlib import Path

import pytest
import torch

from ganlab.nets.stylegan2 import Generator, save_rosinality
from ganlab.runner.run import train
from ganlab.runner.run_folder import load_stage

from .conftest import load_script
from .data_files import write_image_folder
from .report_checks import check_run_report

SUPERVISED = ["psp_supervised", "e4e_supervised", "hfgi_supervised"]
reevaluate = load_script("reevaluate_inversion.py").main
counterfactual_budget = load_script("reproduce/counterfactual_budget.py").main
linear_edit_ceiling = load_script("reproduce/linear_edit_ceiling.py").main
code_regression = load_script("reproduce/run_code_regression.py").main


def check_run(cfg, metrics, counterfactual=True):
    """counterfactual: the data renders them (synthfaces)."""
    run_dir = Path(cfg.paths.output_dir)
    assert json.loads((run_dir / "metrics.json").read_text()) == pytest.approx(metrics)
    check_run_report(run_dir)
    for name in ("tables.md", "table_inversion.csv", "table_editing.csv", "samples/eval/inversion.png",
                 "samples/eval/edits.png"):
        assert (run_dir / name).is_file(), name
    for key in ("test/psnr_src", "test/psnr_trg", "test/fid_trg", "test/images_per_s_trg", "test/edit_fid",
                "test/psnr_trg_optimization", "test/speedup_vs_optimization", "test/code_spread_ratio_src",
                "test/code_spread_ratio_trg_optimization", "test/code_distance_to_mean_trg"):
        assert key in metrics and metrics[key] == metrics[key], key
    kinds = [k.split("test/psnr_trg_", 1)[1] for k in metrics if k.startswith("test/psnr_trg_")
             and k.split("test/psnr_trg_", 1)[1] in ("rain", "mask", "downsample", "RainDegradation",
                                                       "MaskDegradation", "DownsampleDegradation")]
    assert kinds, "no PSNR per degradation kind"
    assert (run_dir / "plots" / "inversion_per_degradation.png").is_file()
    tables = (run_dir / "tables.md").read_text()
    assert "Collapse diagnostic" in tables
    assert ("true counterfactual (interfacegan" in tables) == counterfactual
    if counterfactual:
        for key in ("test/cf_moved_toward_interfacegan", "test/wrong_cf_moved_toward_ganspace",
                    "test/cf_psnr_interfacegan_Male_trg", "test/cf_oracle_moved_toward_code_Smiling_trg"):
            assert key in metrics and metrics[key] == metrics[key], key
        assert 0 <= metrics["test/cf_moved_toward_interfacegan_Young_src"] <= 1
        # the fusion oracle exists exactly where the inverter fuses (HFGI, UDA), as the base code's PSNR
        assert ("test/cf_oracle_moved_toward_fusion_Male_src" in metrics) == ("test/psnr_base_src" in metrics)
        assert "Oracle edits" in tables
    else:
        assert not [k for k in metrics if "cf_" in k]


@pytest.mark.parametrize("experiment", SUPERVISED)
def test_supervised_baselines_fast_dev_run(compose_cfg, zoo_cache, experiment, caplog):
    cfg = compose_cfg(f"+experiment={experiment}", "debug=fdr", cache=zoo_cache)
    metrics = train(cfg)
    check_run(cfg, metrics)
    assert "(supervised)" in (Path(cfg.paths.output_dir) / "tables.md").read_text()
    assert ("test/psnr_base_src" in metrics) == (experiment == "hfgi_supervised")
    # one training step leaves the encoder at the mean code: the evaluation names the run
    assert metrics["test/code_spread_ratio_src"] < 0.1
    assert f"run {cfg.method.evaluate.method_name} ({cfg.paths.output_dir})" in caplog.text
    assert "collapsed" in caplog.text


def test_ablation_without_discrepancy_with_hfgis_alignment(compose_cfg, zoo_cache):
    cfg = compose_cfg("+experiment=uda_inversion", "debug=fdr", "loss.discrepancy.weight=0", "inverter.align=true",
                      cache=zoo_cache)
    metrics = train(cfg)
    check_run(cfg, metrics)
    assert "encoder/train/loss_l2" in metrics and not [k for k in metrics if "discrepancy" in k]
    # the residual stage trained ADA on warped distortions
    aligner = load_stage(cfg.paths.output_dir, "encoder").inverter.consultation.aligner
    assert aligner is not None and int(aligner.warps) >= 1
    # re-evaluated from the run folder alone, with a setting changed: one attribute scored
    run_dir = Path(cfg.paths.output_dir)
    again = reevaluate([str(run_dir), "--no-optimization",
                        "--set", "attributes=[Smiling]", "edit_layers={Smiling:[0]}"])
    assert (run_dir / "reevaluated" / "metrics.json").is_file()
    oracle = "test/cf_oracle_moved_toward_code_Smiling_trg"
    assert again[oracle] == metrics[oracle]
    edited = "test/edit_fid_interfacegan_Smiling_trg"  # the edit moved the first W+ layer only
    assert again[edited] != metrics[edited]
    assert not [k for k in again if "Young" in k or "_optimization" in k]
    # the split of each edit's change (scripts/reproduce/counterfactual_budget.py) scores the same edits
    for (name, domain), row in counterfactual_budget([str(run_dir)]).items():
        key = f"cf_moved_toward_interfacegan_{name}_{domain}"
        assert (row["moved"], row["moved_wrong_sign"]) == pytest.approx((metrics[f"test/{key}"],
                                                                         metrics[f"test/wrong_{key}"]))
    # one step for every image (scripts/reproduce/linear_edit_ceiling.py): the fitted direction and
    # the counterfactual's own code are scored as the evaluation scores them
    ceiling = linear_edit_ceiling([str(run_dir)])
    assert {editor for _, _, editor in ceiling} == {"interfacegan", "paired W+", "paired W", "oracle"}
    for (name, domain, editor), row in ceiling.items():
        key = f"cf_moved_toward_interfacegan_{name}_{domain}"
        if editor == "interfacegan":
            assert (row["moved"], row["wrong sign"]) == pytest.approx((metrics[f"test/{key}"],
                                                                       metrics[f"test/wrong_{key}"]))
        elif editor == "oracle":
            assert row["moved"] == pytest.approx(metrics[f"test/cf_oracle_moved_toward_code_{name}_{domain}"])
    # the codes' spread on test and generated images (scripts/reproduce/run_code_regression.py)
    # reads the run's own spread from its test images (debug=fdr evaluates 8)
    spreads = code_regression([str(run_dir), "--images", "8"])
    assert spreads["spread ratio, test src"] == pytest.approx(metrics["test/code_spread_ratio_src"], rel=1e-5)
    assert spreads["spread ratio, test trg"] == pytest.approx(metrics["test/code_spread_ratio_trg"], rel=1e-5)
    # one training step leaves the encoder at the mean code on generated images too: it knows nothing of W
    assert spreads["spread ratio, generated clean"] < 0.1 and spreads["spread ratio, generated degraded"] < 0.1
    assert spreads["R^2, generated clean"] < 0.1


def test_uda_recipe_at_256px_from_an_image_folder(compose_cfg, zoo_cache, tmp_path):
    """The paper-scale configuration (data=image_folder generator=stylegan2_ffhq), one step;
    like pSp's 256 px inputs for the 1024 px FFHQ generator, the generator is bigger (512 px)."""
    root = write_image_folder(tmp_path / "ffhq", n=12, size=64)
    torch.manual_seed(0)
    g = Generator(512, style_dim=32, n_mlp=1, channels=4)
    g.mean_latent(256, store=True)
    checkpoint = save_rosinality(tmp_path / "stylegan2-ffhq.pt", g)
    cfg = compose_cfg("+experiment=uda_inversion", "debug=fdr", "data=image_folder", f"data.root={root}",
                      "data.image_size=256", "data.batch_size=2", "data.num_workers=0", "data.splits=[0.5,0.25,0.25]",
                      "generator=stylegan2_ffhq", f"generator.checkpoint={checkpoint}", "inverter.width=8",
                      "inverter.fpn_width=16", "loss.synthetic.batch_size=2",  # not 64 renders at 512 px a step
                      cache=zoo_cache)
    metrics = train(cfg)
    check_run(cfg, metrics, counterfactual=False)

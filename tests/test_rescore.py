"""scripts/rescore_run.py: a finished run scored again from its cached stages gives the
run's own test metrics (nothing trains), keeps its training metrics, and names what a
folder lacks."""

import json
import subprocess
import sys

import pytest

from scripts import rescore_run  # conftest puts the repository root on sys.path

from .conftest import ROOT

TINY_ICGAN = ["+experiment=icgan", "trainer.limit_train_batches=2", "trainer.limit_val_batches=1",
              "method.stages.cgan.trainer.max_epochs=1", "method.stages.encoders.trainer.max_epochs=2",
              "method.evaluate.max_batches=2", "zoo_overrides=['debug=fdr']", "callbacks.progress_bar=null",
              "logger=none"]


def test_rescore_reproduces_a_finished_run_from_its_cached_stages(tmp_path):
    run = tmp_path / "run"
    subprocess.run([sys.executable, "train.py", *TINY_ICGAN, f"hydra.run.dir={run}",
                    f"paths.cache_dir={tmp_path / 'cache'}"], cwd=ROOT, check=True, capture_output=True)
    before = json.loads((run / "metrics.json").read_text())
    (run / "metrics.json").write_text(json.dumps({**before, "test/psnr": -1.0, "test/gone": 0.0}))
    assert rescore_run.main([str(run)]) == 0
    after = json.loads((run / "metrics.json").read_text())
    assert after == pytest.approx(before)  # test/gone dropped, test/psnr recomputed, training metrics kept
    assert json.loads((run / "metrics_before_rescore.json").read_text())["test/psnr"] == -1.0
    assert (run / "rescore" / "metrics.json").is_file()


def test_rescore_names_what_a_run_folder_lacks(tmp_path):
    with pytest.raises(SystemExit, match="not a finished run folder"):
        rescore_run.main([str(tmp_path)])
    (tmp_path / ".hydra").mkdir()
    (tmp_path / ".hydra" / "overrides.yaml").write_text("- +experiment=icgan\n- seed=1\n")
    with pytest.raises(SystemExit, match="no config.yaml"):
        rescore_run.main([str(tmp_path)])
    (tmp_path / "config.yaml").write_text(f"paths: {{cache_dir: {tmp_path / 'empty_cache'}}}\n")
    assert rescore_run.run_overrides(tmp_path) == ["+experiment=icgan", "seed=1"]
    with pytest.raises(SystemExit, match="stage 'cgan' of this run is not in the cache"):
        rescore_run.main([str(tmp_path)])

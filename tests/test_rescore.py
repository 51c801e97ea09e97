"""Rescoring (ganlab.runner.rescore, scripts/rescore_run.py): a finished run scored again from its
cached stages gives the run's own test metrics (nothing trains), keeps its training metrics,
and names what a folder lacks."""

import json
import subprocess
import sys

import pytest

from ganlab.runner.rescore import rescore, run_overrides

from .conftest import ROOT, run_script

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
    done = run_script("rescore_run.py", str(run))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    after = json.loads((run / "metrics.json").read_text())
    assert after == pytest.approx(before)  # test/gone dropped, test/psnr recomputed, training metrics kept
    assert json.loads((run / "metrics_before_rescore.json").read_text())["test/psnr"] == -1.0
    assert (run / "rescore" / "metrics.json").is_file()


def test_rescore_names_what_a_run_folder_lacks(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a finished run folder"):
        rescore(tmp_path)
    (tmp_path / ".hydra").mkdir()
    (tmp_path / ".hydra" / "overrides.yaml").write_text("- +experiment=icgan\n- seed=1\n- hydra.run.dir=x\n")
    with pytest.raises(FileNotFoundError, match="no config.yaml"):
        rescore(tmp_path)
    (tmp_path / "config.yaml").write_text(f"paths: {{cache_dir: {tmp_path / 'empty_cache'}}}\n")
    assert run_overrides(tmp_path) == ["+experiment=icgan", "seed=1"]
    with pytest.raises(FileNotFoundError, match="stage 'cgan' of this run is not in the cache"):
        rescore(tmp_path)
    done = run_script("rescore_run.py", str(tmp_path))  # the script says so and exits 2, no traceback
    assert done.returncode == 2 and "stage 'cgan' of this run is not in the cache" in done.stderr
    assert "Traceback" not in done.stderr

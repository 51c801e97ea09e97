"""The entrypoints as a user types them: train.py, a multirun, collect.py, eval.py,
and logger=wandb with no credentials or network."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import run_script

ROOT = Path(__file__).resolve().parents[1]


def run(args, tmp_path, timeout=400):
    env = {**os.environ, "GANLAB_CACHE": str(tmp_path / "cache"), "WANDB_MODE": "", "WANDB_API_KEY": ""}
    env.pop("WANDB_MODE")
    env.pop("WANDB_API_KEY")
    env["HOME"] = str(tmp_path)  # no ~/.netrc: no W&B credentials
    out = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout + out.stderr


def test_train_multirun_collect_eval(icgan_multirun, tmp_path):
    sweep = icgan_multirun.folder
    assert re.search(r"_\d{6}$", sweep.name), sweep
    runs = sorted(p.parent for p in sweep.rglob("metrics.json"))
    assert len(runs) == 2, icgan_multirun.stdout

    table = run_script("collect.py", str(sweep)).stdout
    assert "seed=1" in table and "seed=2" in table and "test/edit_success" in table

    ckpt = runs[0] / "checkpoints" / "encoders" / "last.ckpt"
    assert ckpt.is_file()
    before = json.loads((runs[0] / "metrics.json").read_text())
    logs = tmp_path / "outputs"
    out = subprocess.run([sys.executable, "eval.py", "+experiment=icgan", "debug=fdr", "seed=1", f"ckpt_path={ckpt}",
                          f"paths.log_dir={logs}"], cwd=ROOT, env=icgan_multirun.env, capture_output=True, text=True,
                         timeout=400)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    evals = list((logs / "eval" / "runs").iterdir())
    after = json.loads((evals[0] / "metrics.json").read_text())
    assert after["test/ey_acc"] == before["test/ey_acc"]
    assert (evals[0] / "report.html").is_file() and "python eval.py +experiment=icgan" in (
        evals[0] / "report.html").read_text()


def test_wandb_without_credentials_logs_offline(tmp_path):
    logs = tmp_path / "outputs"
    out = run(["train.py", "+experiment=icgan", "debug=limit", "logger=wandb", f"paths.log_dir={logs}"], tmp_path)
    run_dir = next((logs / "train" / "runs").iterdir())
    assert "W&B logging offline" in out
    assert list((run_dir / "wandb").glob("offline-run-*")), list(run_dir.rglob("*"))[:20]


def test_optuna_sweep_runs_trials(tmp_path):
    logs = tmp_path / "outputs"
    out = run(["train.py", "-m", "+experiment=icgan", "hparams_search=icgan_optuna", "debug=fdr",
               "hydra.sweeper.n_trials=2", "hydra.sweeper.sampler.n_startup_trials=1", f"paths.log_dir={logs}"],
              tmp_path)
    sweep = next((logs / "train" / "multiruns").iterdir())
    assert len(list(sweep.rglob("metrics.json"))) == 2, out
    best = (sweep / "optimization_results.yaml").read_text()
    assert "best_params" in best and "method.stages.cgan.module.optimizer_g.lr" in best

"""A sweep survives its failures: a trial that raises and a trial whose loss goes NaN are
recorded as failed, the sweep runs its other trials to the end, and collect.py lists the
failed runs with their error."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
import yaml
from hydra.core.hydra_config import HydraConfig

from tests.conftest import run_script
from tests.test_cli import run


class FaultByJob(pl.Callback):
    """Job 1 of a sweep raises, job 2's weights turn NaN; the others train normally."""

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        job = HydraConfig.get().job.num
        if job == 1:
            raise RuntimeError("injected failure in job 1")
        if job == 2:
            with torch.no_grad():
                for p in pl_module.parameters():
                    p.fill_(float("nan"))


def test_optuna_sweep_with_a_failing_and_a_nan_trial_completes(tmp_path):
    logs = tmp_path / "outputs"
    out = run(["train.py", "-m", "+experiment=icgan", "hparams_search=icgan_optuna", "debug=fdr",
               "hydra.sweeper.n_trials=4", "hydra.sweeper.sampler.n_startup_trials=2",
               f"hydra.sweeper.storage=sqlite:///{tmp_path}/study.db", f"paths.log_dir={logs}",
               "+callbacks.fault._target_=tests.test_sweeps.FaultByJob"], tmp_path)
    sweep = next((logs / "train" / "multiruns").iterdir())
    assert sorted(p.parent.name for p in sweep.rglob("metrics.json")) == ["0", "3"], out
    results = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert "best_value" in results

    import optuna

    study = optuna.load_study(study_name="icgan", storage=f"sqlite:///{tmp_path}/study.db")
    states = [t.state.name for t in study.trials]
    assert states == ["COMPLETE", "FAIL", "FAIL", "COMPLETE"], states

    table = run_script("collect.py", str(sweep)).stdout
    assert "injected failure in job 1" in table and "non-finite loss" in table, table

"""Cluster launch through Hydra's submitit launcher: a real 2-job multirun with
submitit_local (each job a process of its own, as on a cluster; both in one W&B group named
after the sweep), and the SLURM configs composing with DDP's one task per GPU."""

from __future__ import annotations

from ganlab import compose
from tests.test_cli import run
from tests.wandb_records import read_records


def test_submitit_local_runs_a_two_job_multirun(tmp_path):
    logs = tmp_path / "outputs"
    out = run(["train.py", "-m", "+experiment=icgan", "debug=fdr", "seed=1,2", "hydra/launcher=submitit_local",
               "hydra.launcher.timeout_min=10", "logger=wandb", "callbacks.progress_bar=null",
               f"paths.log_dir={logs}"], tmp_path)
    sweep = next((logs / "train" / "multiruns").iterdir())
    assert sorted(p.parent.name for p in sweep.rglob("metrics.json")) == ["0", "1"], out
    # submitit ran them, each its own job: a folder with the job's result and log
    jobs = sorted(p.parent.name for p in (sweep / ".submitit").glob("*/*_result.pkl"))
    assert len(set(jobs)) == 2, list((sweep / ".submitit").rglob("*"))

    runs = [next(r.run for r in read_records(path) if r.WhichOneof("record_type") == "run")
            for path in sorted(sweep.glob("*/wandb/offline-run-*/run-*.wandb"))]
    assert [(r.display_name, r.run_group) for r in runs] == [("icgan debug=fdr seed=1", f"icgan-{sweep.name}"),
                                                             ("icgan debug=fdr seed=2", f"icgan-{sweep.name}")]


def test_slurm_gpu_launcher_composes_for_ddp():
    cfg = compose(["+experiment=icgan", "hydra/launcher=slurm_gpu", "trainer=ddp", "trainer.devices=4",
                   "hydra.launcher.gpus_per_node=4", "hydra.launcher.partition=gpu"], hydra_config=True)
    plain = compose(["+experiment=icgan", "hydra/launcher=submitit_slurm"], hydra_config=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("submitit_launcher.SlurmLauncher")
    # one task spawning one DDP process per GPU; named so Lightning keeps its own process launch
    assert (launcher.gpus_per_node, launcher.tasks_per_node, cfg.trainer.devices) == (4, 1, 4)
    assert launcher.name == "interactive" and cfg.trainer.strategy._target_ == "ganlab.ddp_strategy.SpawnedDDP"
    assert launcher.partition == "gpu" and launcher.signal_delay_s == 90 and launcher.max_num_timeout == 0
    assert plain.hydra.launcher._target_ == launcher._target_ and plain.hydra.launcher.gpus_per_node is None

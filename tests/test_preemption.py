"""SIGTERM (or SIGUSR1) mid-training: a checkpoint is saved at the end of that batch, the
run exits non-zero printing the command that resumes it, and the resumed run, in the
same folder, ends exactly where an uninterrupted run ends."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import pytorch_lightning as pl

from ganlab.preemption import Preempted
from ganlab.runner.run import train
from tests.test_resume import SHORT

ROOT = Path(__file__).resolve().parents[1]


class SignalAt(pl.Callback):
    """Stands in for the cluster: sends the process a signal at (epoch, batch) of the cGAN stage."""

    def __init__(self, epoch: int, batch: int, signum: int = int(signal.SIGTERM)):
        self.epoch, self.batch, self.signum = epoch, batch, signum

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        stage = next(c.stage for c in trainer.callbacks if type(c).__name__ == "StageTag")
        if stage == "cgan" and trainer.current_epoch == self.epoch and batch_idx == self.batch:
            os.kill(os.getpid(), self.signum)


@pytest.mark.parametrize("signum,workers", [(signal.SIGTERM, 0), (signal.SIGUSR1, 0), (signal.SIGTERM, 2)])
def test_signal_mid_epoch_saves_there_and_resume_matches_uninterrupted(compose_cfg, tmp_path, signum, workers):
    """Also with loader worker processes, which draw an epoch's first indices before
    Lightning sets the epoch on a resumed run."""
    short = [*SHORT, f"data.num_workers={workers}"]
    reference = train(compose_cfg(*short, cache=tmp_path / "a"))
    signalled = compose_cfg(*short, "+callbacks.sig._target_=tests.test_preemption.SignalAt",
                            "+callbacks.sig.epoch=1", "+callbacks.sig.batch=1", f"+callbacks.sig.signum={int(signum)}",
                            cache=tmp_path / "b")
    with pytest.raises(Preempted) as stopped:
        train(signalled)
    assert stopped.value.stage == "cgan" and Path(stopped.value.checkpoint).is_file()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers put back
    resumed = train(compose_cfg(*short, f"ckpt_path={stopped.value.checkpoint}", cache=tmp_path / "b"))
    for key, value in reference.items():
        if key.startswith("test/"):
            assert resumed[key] == pytest.approx(value, abs=1e-6), key


def test_cli_sigterm_exits_nonzero_and_the_printed_command_resumes_in_the_same_folder(tmp_path):
    env = {**os.environ, "GANLAB_CACHE": str(tmp_path / "cache")}
    logs = tmp_path / "outputs"
    args = ["train.py", *SHORT, f"paths.log_dir={logs}", "+callbacks.sig._target_=tests.test_preemption.SignalAt",
            "+callbacks.sig.epoch=0", "+callbacks.sig.batch=2"]
    out = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert out.returncode == 128 + signal.SIGTERM, out.stdout[-2000:] + out.stderr[-2000:]
    command = re.search(r"resume with:\n\s+python (.+)", out.stdout).group(1)
    run_dir = next((logs / "train" / "runs").iterdir())
    assert f"ckpt_path={run_dir}/checkpoints/cgan/last.ckpt" in command
    assert not (run_dir / "metrics.json").exists()

    again = subprocess.run([sys.executable, *command.split()], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=400)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert [p.name for p in (logs / "train" / "runs").iterdir()] == [run_dir.name]  # the same run folder
    assert (run_dir / "metrics.json").is_file()


def test_a_training_checkpoint_inside_a_run_folder_names_that_folder(tmp_path):
    from ganlab.loggers.wandb_logger import run_id
    from ganlab.runner.resume_folder import run_dir

    run = tmp_path / "runs" / "2026-01-01_00-00-00_000001"
    (run / ".hydra").mkdir(parents=True)
    ckpt = run / "checkpoints" / "cgan" / "last.ckpt"
    assert run_dir(str(ckpt), "train", "fresh") == str(run.resolve())
    assert run_dir(str(ckpt), "eval", "fresh") == "fresh"  # eval.py writes its own folder
    assert run_dir(str(tmp_path / "elsewhere.ckpt"), "train", "fresh") == "fresh"
    assert run_dir(None, "train", "fresh") == "fresh"
    assert run_id(str(run)) == run_id(str(run / ".." / run.name)) != run_id(str(tmp_path))

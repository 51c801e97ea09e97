"""An Optuna sweep per paper: every search space names keys the recipe has and optimises its
headline metric; run for real (slow: about 2 min each on 2 loaded cores, most of it the
recipes' evaluations), 3 tiny trials each scored by that metric in the right direction, the
study kept in a sqlite file and resumed."""

from __future__ import annotations

import pytest
import yaml
from omegaconf import OmegaConf

from ganlab import compose
from tests.test_cli import run

# Evaluation sizes for a quick trial (the recipes' own are for results, not for a test).
TINY_EVAL = {
    "uda_inversion": [],
    "lw": ["method.evaluate.num_alphas=3", "method.evaluate.calibration_codes=32",
           "method.evaluate.calibration_steps=2", "method.evaluate.eval_codes=64", "method.evaluate.fid_codes=64",
           "method.evaluate.grid_codes=2", "method.evaluate.grid_alphas=2"],
    "scgan": ["method.evaluate.num_samples=64", "method.evaluate.edit_samples=32",
              "method.evaluate.positions=[0.5,1.0]", "method.evaluate.match_steps=0", "method.evaluate.refine_steps=1",
              "method.evaluate.pti_steps=1", "method.evaluate.interfacegan.num_samples=256"],
}
OBJECTIVE = {"uda_inversion": ("test/psnr_trg", "MAXIMIZE"), "lw": ("test/lw/preservation", "MAXIMIZE"),
             "scgan": ("test/uniform_level_gap", "MINIMIZE"), "icgan": ("test/edit_success", "MAXIMIZE")}


@pytest.mark.parametrize("recipe", sorted(OBJECTIVE))
def test_search_space_names_recipe_keys_and_its_headline(recipe):
    cfg = compose([f"+experiment={recipe}", f"hparams_search={recipe}_optuna"], hydra_config=True)
    sweeper = cfg.hydra.sweeper
    metric, direction = OBJECTIVE[recipe]
    assert (cfg.optimized_metric, sweeper.direction.upper(), sweeper.study_name) == (metric, direction, recipe)
    assert sweeper.max_failure_rate == 1.0
    missing = [k for k in sweeper.params if OmegaConf.select(cfg, k, default=None) is None]
    assert not missing, f"{recipe}_optuna searches keys the recipe lacks: {missing}"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One cache for the three sweeps: the synthfaces zoo models they share train once."""
    return tmp_path_factory.mktemp("sweeps")


def sweep(recipe: str, trials: int, study, logs, shared) -> tuple:
    out = run(["train.py", "-m", f"+experiment={recipe}", f"hparams_search={recipe}_optuna", "debug=fdr",
               f"hydra.sweeper.n_trials={trials}", "hydra.sweeper.sampler.n_startup_trials=2",
               f"hydra.sweeper.storage=sqlite:///{study}", "callbacks.progress_bar=null", f"paths.log_dir={logs}",
               *TINY_EVAL[recipe]], shared)
    return out, sorted((logs / "train" / "multiruns").iterdir())[-1]


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["uda_inversion", "lw", "scgan"])
def test_optuna_sweep_per_paper(recipe, tmp_path, shared):
    import json

    import optuna

    metric, direction = OBJECTIVE[recipe]
    out, folder = sweep(recipe, 3, tmp_path / "study.db", tmp_path / "outputs", shared)
    study = optuna.load_study(study_name=recipe, storage=f"sqlite:///{tmp_path / 'study.db'}")
    assert study.direction.name == direction
    assert [t.state.name for t in study.trials] == ["COMPLETE"] * 3, out[-3000:]
    runs = sorted(folder.rglob("metrics.json"), key=lambda p: int(p.parent.name))
    scores = [json.loads(p.read_text())[metric] for p in runs]
    assert [t.value for t in study.trials] == pytest.approx(scores)  # each trial scored by the headline metric
    assert len({tuple(sorted(t.params.items())) for t in study.trials}) == 3  # three settings were tried
    best = yaml.safe_load((folder / "optimization_results.yaml").read_text())["best_value"]
    assert best == pytest.approx(max(scores) if direction == "MAXIMIZE" else min(scores))

    sweep(recipe, 1, tmp_path / "study.db", tmp_path / "outputs", shared)  # the stored study goes on
    resumed = optuna.load_study(study_name=recipe, storage=f"sqlite:///{tmp_path / 'study.db'}")
    assert [t.number for t in resumed.trials] == [0, 1, 2, 3] and resumed.trials[3].state.name == "COMPLETE"

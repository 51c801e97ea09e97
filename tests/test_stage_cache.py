"""A stage's cache key covers everything that determines it, the stages it is built on
included: training the cGAN longer must not hand back encoders fitted to the old one."""

from omegaconf import OmegaConf

from ganlab.runner.run import prepare
from ganlab.runner.stages import build_stage, stage_key


def _cache_files(compose_cfg, *overrides: str) -> dict[str, str]:
    cfg, _ = prepare(compose_cfg("+experiment=icgan", *overrides))
    modules, recipes, keys, files = {}, {}, {}, {}
    for name in cfg.method.stages:
        modules[name], recipes[name], cached = build_stage(cfg, name, modules, recipes, keys)
        files[name] = cached.name
    return files


def test_training_an_input_stage_longer_invalidates_the_stages_built_on_it(compose_cfg):
    base = _cache_files(compose_cfg)
    assert _cache_files(compose_cfg) == base  # deterministic
    longer = _cache_files(compose_cfg, "method.stages.cgan.trainer.max_epochs=41")
    assert longer["cgan"] != base["cgan"] and longer["encoders"] != base["encoders"]
    # the encoders' own trainer leaves the cGAN's cache file alone
    own = _cache_files(compose_cfg, "method.stages.encoders.trainer.max_epochs=31")
    assert own["cgan"] == base["cgan"] and own["encoders"] != base["encoders"]


def test_runs_of_other_seeds_never_share_a_stage():
    """The run's seed seeds every stage (init, data order), so a seed sweep trains each stage
    once per seed, also where the module takes no seed of its own (the latent classifier)."""
    rec = {"config": {"_target_": "torch.nn.Linear", "in_features": 2, "out_features": 2}}
    trainer = OmegaConf.create({"max_epochs": 1})

    def key(seed):
        return stage_key(OmegaConf.create({"seed": seed, "data": {"batch_size": 8}}), rec, trainer)

    assert key(0) == key(0) != key(1)

"""A stage's cache key covers everything that determines it, the stages it is built on
included: training the cGAN longer must not hand back encoders fitted to the old one."""

from ganlab.runner.run import prepare
from ganlab.runner.stages import build_stage


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

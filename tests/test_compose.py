"""ganlab.compose: the config train.py would run for a command line, from plain Python."""

import pytest
from hydra.errors import ConfigCompositionException

from ganlab import compose


def test_compose_gives_the_recipe_with_the_overrides_applied():
    plain = compose(["+experiment=icgan"])
    cfg = compose(["+experiment=icgan", "seed=7", "data.batch_size=5"])
    assert plain.experiment_name == "icgan" and "cgan" in plain.method.stages
    assert (cfg.seed, cfg.data.batch_size) == (7, 5)
    assert plain.data.batch_size != 5  # the override, not the recipe, set it
    assert "hydra" not in cfg and compose(["+experiment=icgan"], hydra_config=True).hydra.run.dir


def test_compose_names_an_unknown_key_and_an_unknown_recipe():
    with pytest.raises(ConfigCompositionException, match="Could not override 'data.no_such_key'"):
        compose(["+experiment=icgan", "data.no_such_key=1"])
    with pytest.raises(ConfigCompositionException, match="Could not find 'experiment/no_such_recipe'"):
        compose(["+experiment=no_such_recipe"])
    with pytest.raises(TypeError, match="list of strings"):
        compose("+experiment=icgan")

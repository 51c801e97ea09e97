"""Bad configs fail before any training, naming the key."""

import pytest
from omegaconf import OmegaConf

from ganlab.config.validate import ConfigError, validate
from ganlab.runner.run import prepare


def test_unknown_key_in_a_group_is_named(compose_cfg):
    cfg = compose_cfg("+experiment=icgan", "+data.batch_sise=8")
    with pytest.raises(ConfigError, match=r"data\.batch_sise: unknown key"):
        prepare(cfg)


def test_wrong_type_is_named(compose_cfg):
    cfg = compose_cfg("+experiment=icgan", "data.batch_size=eight")
    with pytest.raises(ConfigError, match=r"data\.batch_size: expected int, got str"):
        prepare(cfg)


def test_wrong_type_in_a_stage_module_is_named(compose_cfg):
    cfg = compose_cfg("+experiment=icgan", "inverter.layout=3")
    with pytest.raises(ConfigError, match=r"inverter\.layout: expected str"):
        prepare(cfg)


def test_bad_trainer_value_is_named(compose_cfg):
    cfg = compose_cfg("+experiment=icgan", "trainer.max_epochs=many")
    with pytest.raises(ConfigError, match=r"trainer\.max_epochs"):
        prepare(cfg)


def test_missing_required_value_is_named(compose_cfg):
    cfg = compose_cfg("+experiment=icgan", "data=image_folder")
    with pytest.raises(ConfigError, match=r"data\.root: missing value"):
        prepare(cfg)


def test_unknown_top_level_key(compose_cfg):
    cfg = compose_cfg("+experiment=icgan", "+sead=3")
    with pytest.raises(ConfigError, match=r"sead: unknown top-level key"):
        prepare(cfg)


def test_stage_typo_and_bad_input(compose_cfg):
    cfg = compose_cfg("+experiment=icgan", "+method.stages.cgan.trainr={max_epochs: 1}",
                      "method.stages.encoders.inputs.cgan=gan")
    with pytest.raises(ConfigError) as err:
        prepare(cfg)
    assert "method.stages.cgan.trainr: unknown key" in str(err.value)
    assert "method.stages.encoders.inputs.cgan: 'gan' is not an earlier stage" in str(err.value)


def test_no_recipe_says_how_to_choose_one(compose_cfg):
    with pytest.raises(ConfigError, match=r"\+experiment="):
        prepare(compose_cfg())


def test_missing_required_argument_of_a_target():
    cfg = OmegaConf.create({"net": {"_target_": "ganlab.nets.encoders.ConvEncoder", "image_size": 32}})
    with pytest.raises(ConfigError, match=r"net\.out_dim: missing required value"):
        validate(cfg)


def test_a_valid_config_passes(compose_cfg):
    cfg, datamodule = prepare(compose_cfg("+experiment=icgan"))
    assert cfg.data_info.label_dim == 10 and cfg.data_info.channels == 1

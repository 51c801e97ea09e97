"""The evaluation layer's interface: every protocol is an Evaluation that declares the stages
it reads, the runner refuses a protocol whose stages the recipe lacks, and
configs/method/evaluation/ holds exactly one config per protocol module."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from omegaconf import OmegaConf

import ganlab.evaluation
from ganlab.config.validate import ConfigError
from ganlab.evaluation.classifier import ClassifierEvaluation
from ganlab.evaluation.protocol import Evaluation, check_metrics, check_reads, configured_reads
from ganlab.evaluation.stylegan2 import StyleGAN2Evaluation
from ganlab.runner.run import _evaluate

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs" / "method" / "evaluation"


def protocols() -> dict[str, type[Evaluation]]:
    """Module name (relative to ganlab.evaluation) -> the Evaluation subclass it defines."""
    found = {}
    for info in pkgutil.walk_packages(ganlab.evaluation.__path__, "ganlab.evaluation."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Evaluation) and cls is not Evaluation and cls.__module__ == info.name:
                assert info.name.removeprefix("ganlab.evaluation.") not in found, f"{info.name}: two protocols"
                found[info.name.removeprefix("ganlab.evaluation.")] = cls
    return found


def test_every_protocol_module_has_exactly_its_config_and_each_config_its_module():
    found = protocols()
    configs = {p.stem: OmegaConf.load(p) for p in CONFIGS.glob("*.yaml")}
    assert set(found) == set(configs)
    assert {"classifier", "feature_net", "icgan", "identity", "image_inversion", "inversion", "latent_edit", "scgan",
            "stylegan2"} <= set(found)
    for name, cls in found.items():
        assert configs[name]._target_ == f"{cls.__module__}.{cls.__qualname__}", name


def test_every_stage_a_protocol_reads_is_a_constructor_parameter_with_a_default():
    for name, cls in protocols().items():
        parameters = inspect.signature(cls.__init__).parameters
        # invert_edit takes every part from the zoo; every other protocol reads its recipe's stages
        assert cls.stage_parameters or name == "invert_edit", f"{name}: declares no stage it reads"
        for p in cls.stage_parameters:
            assert p.endswith("_stage") and isinstance(parameters[p].default, str), f"{name}.{p}"


def test_reads_follow_the_configured_stage_names():
    assert ClassifierEvaluation().reads == {"classifier_stage": "classifier"}
    assert ClassifierEvaluation(classifier_stage="judge").reads == {"classifier_stage": "judge"}
    assert configured_reads(StyleGAN2Evaluation, {"generator_stage": "gan"}) == {"generator_stage": "gan"}
    assert configured_reads(StyleGAN2Evaluation, {}) == {"generator_stage": "stylegan2"}


def test_a_missing_stage_is_named_with_the_recipe_stages():
    check_reads({"generator_stage": "gan"}, ["gan", "encoder"])
    with pytest.raises(ConfigError, match=r"generator_stage: stage 'gan'.*\['stylegan2'\]"):
        check_reads({"generator_stage": "gan"}, ["stylegan2"])


def test_metrics_outside_test_are_refused():
    check_metrics(ClassifierEvaluation(), {"test/acc": 1.0})
    with pytest.raises(ValueError, match="val/acc"):
        check_metrics(ClassifierEvaluation(), {"test/acc": 1.0, "val/acc": 0.5})


def test_the_runner_checks_the_built_protocol_before_evaluating(tmp_path):
    """A protocol built from a config the preflight did not see (eval.py on a stored config):
    its stages are checked before it runs."""
    cfg = OmegaConf.create({"paths": {"output_dir": str(tmp_path)}, "method": {"evaluate": {
        "_target_": "ganlab.evaluation.classifier.ClassifierEvaluation", "classifier_stage": "judge"}}})
    with pytest.raises(ConfigError, match=r"classifier_stage: stage 'judge'.*\['classifier'\]"):
        _evaluate(cfg, datamodule=None, modules={"classifier": object()})
    cfg.method.evaluate = {"_target_": "collections.OrderedDict"}
    with pytest.raises(ConfigError, match="OrderedDict, not an evaluation protocol"):
        _evaluate(cfg, datamodule=None, modules={})

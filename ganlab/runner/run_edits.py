"""A finished inversion run's trained stage, data and fitted editors, for scripts that score
its edits again (scripts/reproduce/counterfactual_budget.py, linear_edit_ceiling.py)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from torch import nn

from ganlab.evaluation.inversion_editing import EditScores
from ganlab.nets.inverters.base import Inversion
from ganlab.runner.run_folder import load_config, load_datamodule, load_stage


@dataclass
class RunEdits:
    settings: DictConfig  # the run's method.evaluate with the given settings applied
    evaluation: object  # built from them without the optimisation and hybrid rows
    generator: nn.Module
    inverter: nn.Module
    data: object  # the run's datamodule
    edits: EditScores  # the evaluation's fitted directions (and configured editors)


def run_edit_parser(description: str) -> argparse.ArgumentParser:
    """The command line both scripts share: the run folder, its test images, the editor, the
    base code alone, and method.evaluate settings (load_run_edits reads them)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("run", help="a finished inversion run folder on synthfaces")
    parser.add_argument("--images", type=int, default=None, help="test images (default: the evaluation's)")
    parser.add_argument("--editor", default="interfacegan", help="one of the evaluation's editors")
    parser.add_argument("--base", action="store_true", help="score the base code without the fusion")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="method.evaluate settings")
    return parser


def load_run_edits(run: str, settings: list[str]) -> RunEdits:
    """Run folder and method.evaluate settings (KEY=VALUE) -> its stage, data and editors."""
    config = OmegaConf.merge(load_config(run).method.evaluate, OmegaConf.from_dotlist(settings))
    built = config.copy()
    built.optimization = built.hybrid_refiner = None
    evaluation = instantiate(built)
    stage = load_stage(run, config.get("encoder_stage"))
    for net in (evaluation.classifier, evaluation.identity):
        if net is not None:
            net.eval()
    edits = EditScores(stage.generator, evaluation.classifier, evaluation.identity, evaluation.columns,
                       evaluation.judge_size, evaluation.direction_samples, evaluation.edit_strength,
                       evaluation.editors, control_samples=8, edit_layers=evaluation.edit_layers)
    return RunEdits(config, evaluation, stage.generator, stage.inverter, load_datamodule(run), edits)


def as_scored(inversion: Inversion, base: bool) -> Inversion:
    """The inversion, or with `base` its base code's render alone (no fusion)."""
    if base and inversion.base_image is not None:
        return Inversion(inversion.wplus, inversion.base_image)
    return inversion

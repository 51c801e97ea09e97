"""The train and evaluate tasks behind train.py and eval.py (and the zoo)."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pytorch_lightning as pl
import torch
from hydra.utils import get_class, instantiate
from omegaconf import DictConfig, OmegaConf, open_dict
from torchvision.io import ImageReadMode, read_image

from ganlab import module_files, preemption
from ganlab.callbacks.factory import build_loggers
from ganlab.callbacks.sample_grid import send_grid
from ganlab.compose_config import compose
from ganlab.config.preflight import check_choices, check_labels, check_trainers, check_writable, remove_stale_tmp
from ganlab.config.validate import ConfigError, validate
from ganlab.evaluation.protocol import Evaluation, check_metrics, check_reads, configured_reads
from ganlab.loggers import wandb_results
from ganlab.reports.plots import stage_monitors, write_plots
from ganlab.reports.run_page import plots, write_run_report
from ganlab.runner.stages import build_stage, checkpoint_stage, depends_on, run_stages, trainer_config

log = logging.getLogger("ganlab")

# Groups that build the parts of a recipe; they may interpolate `data_info`, so they are
# checked once the data is known.
PART_GROUPS = ("generator", "discriminator", "inverter", "editor", "degradation", "loss", "perceptual", "identity",
               "domains", "metric", "method")
ROOT_KEYS = {"task_name", "seed", "ckpt_path", "cache_stages", "resume_mismatch", "optimized_metric", "zoo_overrides",
             "data_info", "stage", "paths", "data", "trainer", "logger", "callbacks", "debug", "experiment_name",
             *PART_GROUPS}
RUNTIME_KEYS = ("data_info", "stage", "hydra")  # filled by the runner, not by the user


def apply_debug(cfg: DictConfig) -> DictConfig:
    """`debug=NAME` holds overrides applied last, so they win over any recipe
    (`+experiment=X` is composed after the debug group in Hydra's order)."""
    if cfg.get("debug"):
        overrides = cfg.debug
        with open_dict(cfg):
            cfg.debug = None
        cfg = OmegaConf.merge(cfg, overrides)
    return cfg


def prepare(cfg: DictConfig):
    """Validate the config, build the data and fill `data_info`; nothing trains here."""
    cfg = apply_debug(cfg)
    if not cfg.get("method"):
        raise ConfigError("no recipe chosen: run e.g. `python train.py +experiment=icgan` "
                          "(recipes are the files in configs/experiment/)")
    validate(cfg, root_keys=ROOT_KEYS, skip=RUNTIME_KEYS + PART_GROUPS)
    check_choices(cfg)
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    datamodule = instantiate(cfg.data)
    if cfg.get("domains"):  # e.g. HQ source / degraded target halves of the data (UDA-inversion)
        datamodule = instantiate(cfg.domains, images=datamodule)
    datamodule.setup()
    with open_dict(cfg):
        cfg.data_info = {"label_dim": datamodule.label_spec.dim, "label_kind": datamodule.label_spec.kind,
                         "label_names": list(datamodule.label_spec.names), "channels": datamodule.channels,
                         "image_size": datamodule.image_size,
                         # facts only some datamodules have (latent codes: latent_dim, n_latent, edits)
                         **(datamodule.extra_info() if hasattr(datamodule, "extra_info") else {})}
    _check_method(cfg)
    check_labels(cfg)
    check_writable(cfg)
    remove_stale_tmp(cfg.paths.cache_dir)
    provided = {f"method.stages.{name}.module": set((stage.get("inputs") or {}).keys())
                for name, stage in cfg.method.stages.items()}
    provided["domains"] = {"images"}
    validate(cfg, skip=("hydra", "stage"), provided=provided)
    return cfg, datamodule


METHOD_KEYS = {"name", "stages", "evaluate"}
STAGE_KEYS = {"module", "inputs", "trainer", "monitor", "mode"}



def trained_stages(overrides: list[str], output_dir: Path) -> tuple[DictConfig, object, dict]:
    """A recipe's config, data and trained stage modules (from the cache, or trained now), for
    tools that study a recipe's models outside train.py."""
    cfg, datamodule = prepare(compose([*overrides, f"paths.output_dir={output_dir}", "logger=none"]))
    modules, _, _ = run_stages(cfg, datamodule)
    return cfg, datamodule, modules

def _check_method(cfg: DictConfig) -> None:
    """The parts of a recipe that have no `_target_` to check against: its stages."""
    errors = [f"method.{k}: unknown key (valid: {sorted(METHOD_KEYS)})" for k in set(cfg.method) - METHOD_KEYS]
    earlier: list[str] = []
    trainers = {}
    for name, stage in cfg.method.stages.items():
        errors += [f"method.stages.{name}.{k}: unknown key (valid: {sorted(STAGE_KEYS)})"
                   for k in set(stage) - STAGE_KEYS]
        for arg, src in (stage.get("inputs") or {}).items():
            if src not in earlier:
                errors.append(f"method.stages.{name}.inputs.{arg}: {src!r} is not an earlier stage ({earlier})")
        try:
            trainers[name] = trainer_config(cfg, stage)
            validate(OmegaConf.create({"trainer": trainers[name]}))
        except ConfigError as e:
            errors.append(f"method.stages.{name}.trainer / trainer: {e}")
        earlier.append(name)
    if errors:
        raise ConfigError("invalid config:\n  " + "\n  ".join(errors))
    check_trainers(trainers)
    if cfg.method.get("evaluate"):
        check_reads(configured_reads(_evaluation_class(cfg.method.evaluate), cfg.method.evaluate), earlier)


def _evaluation_class(config: DictConfig) -> type[Evaluation]:
    target = config.get("_target_")
    try:
        cls = get_class(target) if target else None
    except ImportError as e:
        raise ConfigError(f"method.evaluate._target_={target!r} cannot be imported: {e}") from e
    except ValueError:  # it names something other than a class
        cls = None
    if not (isinstance(cls, type) and issubclass(cls, Evaluation)):
        raise ConfigError(f"method.evaluate._target_={target!r} is not an evaluation protocol (a subclass of "
                          "ganlab.evaluation.protocol.Evaluation)")
    return cls


def write_outputs(cfg: DictConfig, metrics: dict[str, float]) -> None:
    out = Path(cfg.paths.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True))


def _evaluate(cfg: DictConfig, datamodule, modules: dict) -> dict[str, float]:
    if not cfg.method.get("evaluate"):
        return {}
    evaluate = instantiate(cfg.method.evaluate)
    if not isinstance(evaluate, Evaluation):
        raise ConfigError(f"method.evaluate built a {type(evaluate).__name__}, not an evaluation protocol "
                          "(a subclass of ganlab.evaluation.protocol.Evaluation)")
    check_reads(evaluate.reads, modules)
    metrics = evaluate(stages=modules, datamodule=datamodule, out_dir=Path(cfg.paths.output_dir))
    check_metrics(evaluate, metrics)
    return metrics


def _report(cfg: DictConfig, metrics: dict[str, float]) -> None:
    """Draw the plots; send the evaluation's metrics, grids, plots and result tables to the
    loggers (as a stage named eval)."""
    cfg.stage.name = "eval"
    out = Path(cfg.paths.output_dir)
    write_plots(out, stage_monitors(cfg), metrics)
    images = {f"eval/{p.stem}": p for p in sorted((out / "samples" / "eval").glob("*.png"))}
    images.update({f"plots/{p.relative_to(out).with_suffix('')}": p for p in plots(out)})
    for logger in build_loggers(cfg):
        logger.log_metrics(metrics, step=0)
        for key, path in images.items():
            send_grid([logger], key, read_image(str(path), ImageReadMode.RGB).float() / 255, path, step=0)
        wandb_results.log_results([logger], cfg, metrics)
        logger.save()


def train(cfg: DictConfig) -> dict[str, float]:
    cfg, datamodule = prepare(cfg)
    log.info("run folder: %s", cfg.paths.output_dir)
    with preemption.watching():
        modules, _, metrics = run_stages(cfg, datamodule)
        preemption.stop_if_received("eval")
    evaluated = _evaluate(cfg, datamodule, modules)
    metrics.update(evaluated)
    _publish(cfg, metrics, evaluated)
    return metrics


def _publish(cfg: DictConfig, metrics: dict[str, float], evaluated: dict[str, float]) -> None:
    """metrics.json and config.yaml, then the loggers (the W&B artifact holds metrics.json),
    then report.html (it shows the plots _report draws)."""
    write_outputs(cfg, metrics)
    _report(cfg, evaluated)
    write_run_report(cfg.paths.output_dir, stage_monitors(cfg))


def evaluate(cfg: DictConfig) -> dict[str, float]:
    """Recompute a run's metrics from a checkpoint of the recipe's last stage (which holds
    the weights of every stage it was built on); stages it is not built on (e.g. the other
    editors a recipe compares) come from the stage cache."""
    if not cfg.get("ckpt_path"):
        raise ConfigError("eval.py needs ckpt_path=.../checkpoints/<last stage>/last.ckpt")
    cfg, datamodule = prepare(cfg)
    stage_names = list(cfg.method.stages)
    stage = checkpoint_stage(cfg.ckpt_path)
    if stage != stage_names[-1]:
        raise ConfigError(f"ckpt_path is a checkpoint of stage {stage!r}; eval.py needs the last stage's "
                          f"({stage_names[-1]!r}): .../checkpoints/{stage_names[-1]}/last.ckpt")
    modules, recipes, keys, in_checkpoint = {}, {}, {}, depends_on(cfg, stage) | {stage}
    for name in stage_names:
        modules[name], recipes[name], cached = build_stage(cfg, name, modules, recipes, keys)
        if name not in in_checkpoint:
            if not cached.is_file():
                raise ConfigError(f"stage {name!r} is not part of {stage!r}'s checkpoint and has no cached result at "
                                  f"{cached}; run train.py with the same settings first (cache_stages=true)")
            module_files.load_state(modules[name], module_files.read(cached)["state_dict"], cached)
    state = torch.load(cfg.ckpt_path, map_location="cpu", weights_only=True)["state_dict"]
    module_files.load_state(modules[stage], state, cfg.ckpt_path)
    metrics = _evaluate(cfg, datamodule, modules)
    _publish(cfg, metrics, metrics)
    return metrics


class FailedTrial(RuntimeError):
    """A run whose optimised metric is not a number: a sweep records the trial as failed."""


def sweep_value(cfg: DictConfig, metrics: dict[str, float]) -> float | None:
    """The number a hyper-parameter sweep optimises. A non-finite value fails the trial
    (Optuna records it as failed; a NaN handed to it would stop the whole sweep)."""
    name = cfg.get("optimized_metric")
    if not name:
        return None
    if name not in metrics:
        raise ConfigError(f"optimized_metric={name!r} is not among the run's metrics: {sorted(metrics)}")
    value = float(metrics[name])
    if not math.isfinite(value):
        raise FailedTrial(f"optimized_metric {name} is {value} (metrics written to {cfg.paths.output_dir})")
    return value

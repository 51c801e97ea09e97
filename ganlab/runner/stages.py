"""A recipe is a chain of stages (e.g. train the cGAN, then the encoders). Each stage is
a LightningModule fitted by its own Trainer; its result is cached under a hash of
everything that determines it, so a re-run with the same settings skips it."""

from __future__ import annotations

import hashlib
import logging
from contextlib import nullcontext
from pathlib import Path

import pytorch_lightning as pl
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from ganlab import module_files, preemption
from ganlab.cache_lock import cache_lock
from ganlab.callbacks.factory import build_callbacks, build_loggers
from ganlab.callbacks.stage_tag import StageTag
from ganlab.checkpoints import check_resumable, read_tag
from ganlab.config.validate import ConfigError
from ganlab.loggers import wandb_results
from ganlab.trust.fingerprint import code_fingerprint
from ganlab.trust.targets import targets
from ganlab.zoo_catalog import source_key, zoo_references

log = logging.getLogger("ganlab")

# Data settings that change how the data is read or checked, not what it is.
UNKEYED_DATA = ("num_workers", "verify")
# Trainer settings that change how a run reports, not what it computes.
_BOOKKEEPING = {"default_root_dir", "enable_progress_bar", "enable_model_summary", "log_every_n_steps",
                "num_sanity_val_steps", "check_val_every_n_epoch", "limit_val_batches"}


def trainer_config(cfg: DictConfig, stage: DictConfig) -> DictConfig:
    """The stage's own trainer block, overridden by every non-null key of `trainer`
    (so `trainer.max_epochs=3` or debug settings reach every stage)."""
    base = OmegaConf.to_container(cfg.trainer, resolve=True)
    chosen = {k: v for k, v in base.items() if v is not None}
    stage_own = OmegaConf.to_container(stage.get("trainer", {}) or {}, resolve=True)
    return OmegaConf.create({**stage_own, **chosen})


def stage_keyed(cfg: DictConfig, rec: dict, trainer_cfg: DictConfig, upstream: dict[str, str] | None = None) -> dict:
    """Everything that determines a stage's result: its module recipe, data and trainer, the
    run's seed (it seeds the stage's init and data order even where the module takes none),
    the code its targets run, the zoo models it uses, and (upstream) the keys of the stages it
    is built on, so that training an input longer invalidates this stage too."""
    data = {k: v for k, v in OmegaConf.to_container(cfg.data, resolve=True).items() if k not in UNKEYED_DATA}
    if cfg.get("domains"):  # the degradation decides what a stage trains on
        data["domains"] = OmegaConf.to_container(cfg.domains, resolve=True)
    trainer = {k: v for k, v in OmegaConf.to_container(trainer_cfg).items() if k not in _BOOKKEEPING}
    built = [OmegaConf.to_container(OmegaConf.create(rec["config"])), data]
    keyed = {"recipe": rec, "data": data, "trainer": trainer, "seed": cfg.seed,
             "code": code_fingerprint([t for _, t in targets(built)]),
             "uses": sorted({f"{n}:{source_key(n, o, p)}" for n, o, p in zoo_references(built)})}
    if upstream:
        keyed["upstream"] = dict(sorted(upstream.items()))
    return keyed


def digest(keyed: dict) -> str:
    return hashlib.sha256(OmegaConf.to_yaml(OmegaConf.create(keyed)).encode()).hexdigest()[:16]


def stage_key(cfg: DictConfig, rec: dict, trainer_cfg: DictConfig, upstream: dict[str, str] | None = None) -> str:
    return digest(stage_keyed(cfg, rec, trainer_cfg, upstream))


def _upstream(stage: DictConfig, keys: dict[str, str]) -> dict[str, str]:
    return {src: keys[src] for src in (stage.get("inputs") or {}).values()}


def stage_cache_file(cfg: DictConfig, name: str, stage: DictConfig, rec: dict, keys: dict[str, str]) -> Path:
    """Where a finished stage's module is cached (keyed by everything that determines it,
    its input stages' keys included); records the stage's key in `keys` for later stages."""
    keys[name] = stage_key(cfg, rec, trainer_config(cfg, stage), _upstream(stage, keys))
    return Path(cfg.paths.cache_dir) / "stages" / f"{name}-{keys[name]}.pt"


def build_stage(cfg: DictConfig, name: str, modules: dict, recipes: dict, keys: dict[str, str]):
    """Stage `name` built on the modules of its inputs: (module, its recipe, its cache file);
    its key goes into `keys` for the stages after it."""
    stage = cfg.method.stages[name]
    sources = dict(stage.get("inputs") or {})
    module = instantiate(stage.module, **{arg: modules[src] for arg, src in sources.items()})
    rec = module_files.recipe(stage.module, {arg: recipes[src] for arg, src in sources.items()})
    return module, rec, stage_cache_file(cfg, name, stage, rec, keys)


def depends_on(cfg: DictConfig, name: str) -> set[str]:
    """The stages whose modules `name` is built on (its inputs, theirs, ...)."""
    found: set[str] = set()
    todo = list((cfg.method.stages[name].get("inputs") or {}).values())
    while todo:
        src = todo.pop()
        if src not in found:
            found.add(src)
            todo += list((cfg.method.stages[src].get("inputs") or {}).values())
    return found


def checkpoint_stage(ckpt_path: str | None) -> str | None:
    """Which stage a Lightning checkpoint written by ganlab belongs to."""
    return read_tag(ckpt_path)["stage"] if ckpt_path else None


def fit_stage(cfg: DictConfig, name: str, stage: DictConfig, module: pl.LightningModule, datamodule,
              ckpt_path: str | None, tag: StageTag) -> dict[str, float]:
    cfg.stage.name = name
    cfg.stage.monitor = stage.get("monitor")
    cfg.stage.mode = stage.get("mode", "min")
    loggers = build_loggers(cfg)
    trainer = instantiate(trainer_config(cfg, stage), callbacks=build_callbacks(cfg, tag), logger=loggers or False)
    for logger in loggers:
        logger.log_hyperparams(OmegaConf.to_container(cfg, resolve=True))
    try:
        trainer.fit(module, datamodule=datamodule, ckpt_path=ckpt_path, weights_only=True)
    except Exception as e:  # under trainer=ddp a stopped process surfaces as the spawner's error
        signum = preemption.received()
        if signum is None or isinstance(e, preemption.Preempted):
            raise
        last = Path(cfg.paths.output_dir) / "checkpoints" / name / "last.ckpt"
        raise preemption.Preempted(signum, str(last) if last.is_file() else None, name) from e
    return {k: float(v) for k, v in trainer.callback_metrics.items() if v.numel() == 1}


def run_stages(cfg: DictConfig, datamodule, until: str | None = None) -> tuple[dict, dict, dict[str, float]]:
    """Build, then fit or load from the cache, every stage in order.
    Returns (modules, recipes, metrics) keyed by stage name."""
    resume_tag = read_tag(cfg.ckpt_path) if cfg.get("ckpt_path") else None
    resume_stage = resume_tag["stage"] if resume_tag else None
    stage_names = list(cfg.method.stages)
    if resume_stage is not None and resume_stage not in stage_names:
        raise ConfigError(f"ckpt_path belongs to stage {resume_stage!r}, not one of this recipe's {stage_names}")
    modules, recipes, metrics, keys = {}, {}, {}, {}
    cacheable = bool(cfg.cache_stages)
    tainted = False  # from a stage resumed under other settings on: not cached, checkpoints not trusted
    for index, name in enumerate(stage_names):
        preemption.stop_if_received(name)
        stage = cfg.method.stages[name]
        pl.seed_everything(cfg.seed + index, workers=True, verbose=False)  # init independent of cache hits
        module, rec, cached = build_stage(cfg, name, modules, recipes, keys)
        trainer_cfg = trainer_config(cfg, stage)
        keyed = stage_keyed(cfg, rec, trainer_cfg, _upstream(stage, keys))
        resuming = name == resume_stage
        if resuming and not check_resumable(cfg.ckpt_path, resume_tag, keys[name], keyed,
                                            cfg.get("resume_mismatch") == "run_uncached"):
            log.warning("stage %s: resumed from a checkpoint of other settings; neither it nor the stages after "
                        "it are cached", name)
            cacheable, tainted = False, True
        use_cache = cacheable and not trainer_cfg.get("fast_dev_run")
        with cache_lock(cached, f"stage {name}") if use_cache else nullcontext():
            if use_cache and cached.is_file() and not resuming:
                payload = module_files.read(cached)
                module_files.load_state(module, payload["state_dict"], cached)
                stage_metrics = payload["metrics"]
                log.info("stage %s: finished earlier, loaded from %s", name, cached)
                cfg.stage.name = name
                wandb_results.log_cached_stage(build_loggers(cfg), cfg, name, stage_metrics)
            else:
                log.info("stage %s: training", name)
                # a tainted run's checkpoints carry no key: resuming them asks for resume_mismatch again
                tag = StageTag(name, None if tainted else keys[name], OmegaConf.to_yaml(OmegaConf.create(keyed)))
                stage_metrics = fit_stage(cfg, name, stage, module, datamodule,
                                          cfg.ckpt_path if resuming else None, tag)
                if use_cache:
                    provenance = {"resumed_from": str(cfg.ckpt_path)} if resuming else {}
                    module_files.save(cached, module, rec, stage_metrics, provenance)
        modules[name], recipes[name] = module, rec
        metrics.update({f"{name}/{k}": v for k, v in stage_metrics.items()})
        if name == until:
            break
    return modules, recipes, metrics

"""Named pretrained models.

`load("cgan-digits32")` returns the model from, in order: an explicit `path`, the
environment variable GANLAB_ZOO_<NAME> (name upper-cased, '-' -> '_'), the cache
(`<cache_dir>/zoo/<name>.pt`), or, for models ganlab can train itself, by running the
recipe named in configs/zoo/<name>.yaml once (saying so in the log) and caching it.
The cache file's name carries a key of the composed recipe and of the code that trains it
(`cache_key`), so a changed recipe, module or debug override never reuses an old model.
Works from plain Python; Hydra is used underneath to compose the recipe."""

from __future__ import annotations

import hashlib
import logging
import os
from functools import cache
from pathlib import Path

from omegaconf import OmegaConf
from torch import nn

from ganlab import module_files
from ganlab.cache_lock import cache_lock
from ganlab.config.preflight import remove_stale_tmp
from ganlab.preemption import Preempted
from ganlab.randomness import global_rng_kept
from ganlab.runner.compose import CONFIG_DIR, compose
from ganlab.trust.fingerprint import code_fingerprint
from ganlab.trust.targets import nodes, targets

log = logging.getLogger("ganlab")

def default_cache_dir() -> Path:
    return Path(os.environ.get("GANLAB_CACHE", CONFIG_DIR.parent / "outputs" / "cache"))


def names() -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / "zoo").glob("*.yaml"))


def entry(name: str):
    path = CONFIG_DIR / "zoo" / f"{name}.yaml"
    if not path.is_file():
        raise KeyError(f"unknown zoo model {name!r}; known: {', '.join(names())}")
    return OmegaConf.load(path)


def recipe_overrides(name: str) -> list[str]:
    """The train.py overrides that train zoo model `name`: its recipe and the entry's own overrides."""
    spec = entry(name)
    return [f"+experiment={spec.experiment}", *spec.get("overrides", [])]


# Root keys of a composed recipe that decide what the zoo trains (paths, loggers and
# callbacks only decide where it is written and how it reports).
KEYED_ROOTS = ("seed", "data", "trainer", "method", "generator", "discriminator", "inverter", "editor",
               "degradation", "loss", "perceptual", "identity", "domains", "metric", "debug")
# Data keys that say where the same data lies or how it is read, not what it is.
UNKEYED_DATA = ("root", "num_workers", "verify")


def zoo_references(node) -> list[tuple[str, tuple[str, ...], str | None]]:
    """(name, overrides, explicit file) of every zoo model a config refers to by name (any
    node whose `name` is a zoo entry: ganlab.zoo.load, the pretrained-generator and identity
    loaders)."""
    known, found = set(names()), []
    for _, ref in nodes(node):
        if isinstance(ref, dict) and isinstance(ref.get("name"), str) and ref["name"] in known:
            extra = ref.get("overrides") or ref.get("zoo_overrides") or []
            path = ref.get("path") if isinstance(ref.get("path"), str) else None
            found.append((ref["name"], tuple(extra) if isinstance(extra, (list, tuple)) else (), path))
    return found


@cache
def cache_key(name: str, overrides: tuple[str, ...] = ()) -> str:
    """A hash of what trains zoo model `name` under `overrides`: its composed recipe, the
    code its targets run (`ganlab.trust.fingerprint`) and the keys of the zoo models it uses."""
    cfg = compose([*recipe_overrides(name), *overrides])
    keyed = {k: OmegaConf.to_container(cfg[k], resolve=False) if OmegaConf.is_config(cfg[k]) else cfg[k]
             for k in KEYED_ROOTS if k in cfg}
    if isinstance(keyed.get("data"), dict):
        keyed["data"] = {k: v for k, v in keyed["data"].items() if k not in UNKEYED_DATA}
    uses = sorted(set(zoo_references(keyed)) - {(name, tuple(overrides), None)}, key=str)
    text = OmegaConf.to_yaml(OmegaConf.create({
        "recipe": keyed, "stage": entry(name).stage,
        "code": code_fingerprint([t for _, t in targets(keyed)]),
        "uses": [f"{n}:{source_key(n, o, p)}" for n, o, p in uses]}))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _env_variable(name: str) -> str:
    return "GANLAB_ZOO_" + name.upper().replace("-", "_")


def source_key(name: str, overrides: tuple[str, ...] = (), path: str | None = None) -> str:
    """What determines the model `load(name, path=path, overrides=...)` returns: the content of
    the file given by `path` or $GANLAB_ZOO_<NAME>, else the zoo's `cache_key`."""
    explicit = path or os.environ.get(_env_variable(name))
    return f"file:{_file_digest(explicit)}" if explicit else cache_key(name, tuple(overrides))


def _file_digest(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        return f"missing:{file}"
    stat = file.stat()
    return _digest_of(str(file.resolve()), stat.st_mtime_ns, stat.st_size)


@cache
def _digest_of(path: str, _mtime_ns: int, _size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _cache_file(name: str, cache_dir: Path, overrides: list[str]) -> Path:
    # Models trained under other overrides (e.g. debug=fdr), recipes or code never shadow each other.
    return cache_dir / "zoo" / f"{name}-{cache_key(name, tuple(overrides))}.pt"


def _train(name: str, cache_dir: Path, overrides: list[str], target: Path) -> None:
    from ganlab.runner.run import prepare
    from ganlab.runner.stages import run_stages

    spec = entry(name)
    run_dir = cache_dir / "zoo" / f"{target.stem}-run"
    command = [*recipe_overrides(name), *overrides]
    log.warning("zoo: %s is not cached; training it once with `python train.py %s` (run folder %s)",
                name, " ".join(command), run_dir)
    cfg, datamodule = prepare(compose([*command, f"paths.cache_dir={cache_dir}", f"paths.output_dir={run_dir}",
                                        "logger=none"]))
    try:
        modules, recipes, metrics = run_stages(cfg, datamodule, until=spec.stage)
    except Preempted as e:  # its checkpoint belongs to the zoo's run, not the caller's recipe: rerun instead
        raise Preempted(e.signum, None, f"zoo {name} (trained again on the next run)") from None
    module = modules[spec.stage]
    if spec.get("evaluate_split"):
        metrics.update(_held_out_scores(module, datamodule, spec.evaluate_split))
    module_files.save(target, module, recipes[spec.stage], metrics)
    log.warning("zoo: %s cached at %s (%s)", name, target,
                {k: round(v, 4) for k, v in metrics.items() if k.startswith("held_out/")})


def _held_out_scores(module, datamodule, split: str) -> dict[str, float]:
    import pytorch_lightning as pl

    loader = datamodule.test_dataloader() if split == "test" else datamodule.val_dataloader()
    trainer = pl.Trainer(logger=False, enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
    results = trainer.test(module, dataloaders=loader, verbose=False)[0]
    return {f"held_out/{k.split('/')[-1]}": float(v) for k, v in results.items()}


def is_cached(name: str, cache_dir: str | None = None, overrides: list[str] | None = None) -> bool:
    """Would `load` find the model without training it?"""
    entry(name)  # unknown names fail here
    if os.environ.get(_env_variable(name)):
        return True
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    return _cache_file(name, cache, list(overrides or [])).is_file()


def load(name: str, path: str | None = None, cache_dir: str | None = None,
         overrides: list[str] | None = None, data_root: str | None = None) -> nn.Module:
    """The zoo model `name`, ready to use (eval mode). `overrides` are extra recipe
    overrides used only if it must be trained (they also key its cache file);
    `data_root` is where a real dataset it trains on lies (it does not key the cache).
    The caller's global RNGs are left as they were (training reseeds them, building the
    module draws its init), so a recipe draws the same with a cold or a warm cache."""
    with global_rng_kept():
        return _load(name, path, cache_dir, overrides, data_root)


def _load(name: str, path: str | None, cache_dir: str | None, overrides: list[str] | None,
          data_root: str | None) -> nn.Module:
    overrides = list(overrides or [])
    env_path = os.environ.get(_env_variable(name))
    explicit = path or env_path
    if explicit:
        if not Path(explicit).is_file():
            raise FileNotFoundError(f"zoo model {name}: no file at {explicit} (given by "
                                    f"{'path=' if path else _env_variable(name)}); "
                                    f"unset it to use the cache or train the model")
        module, _ = module_files.load(explicit)
        return module
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    remove_stale_tmp(cache)
    target = _cache_file(name, cache, overrides)
    if not target.is_file():
        with cache_lock(target, f"zoo {name}"):
            if not target.is_file():  # another process may have trained it while this one waited
                _train(name, cache, overrides + ([f"data.root={data_root}"] if data_root else []), target)
    module, metrics = module_files.load(target)
    module.zoo_metrics = metrics
    log.info("zoo: %s loaded from %s", name, target)
    return module


def metrics(module: nn.Module) -> dict[str, float]:
    """What the zoo recorded when it trained this model (e.g. held-out accuracy)."""
    return getattr(module, "zoo_metrics", {})

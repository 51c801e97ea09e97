"""The zoo's catalog: which names it knows (configs/zoo/<name>.yaml), the recipe that trains
each, and the keys that name its cache files. A cache file's key covers the composed
recipe, the code that trains it (`ganlab.trust.fingerprint`) and the zoo models it uses,
so a changed recipe, module or debug override never reuses an old model. Reading the
catalog trains nothing (that is `ganlab.zoo.load`)."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from omegaconf import OmegaConf
from torch import nn

from ganlab.compose_config import CONFIG_DIR, compose
from ganlab.trust.fingerprint import code_fingerprint
from ganlab.trust.targets import nodes, targets


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


def env_variable(name: str) -> str:
    return "GANLAB_ZOO_" + name.upper().replace("-", "_")


def source_key(name: str, overrides: tuple[str, ...] = (), path: str | None = None) -> str:
    """What determines the model `load(name, path=path, overrides=...)` returns: the content of
    the file given by `path` or $GANLAB_ZOO_<NAME>, else the zoo's `cache_key`."""
    explicit = path or os.environ.get(env_variable(name))
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


def cache_file(name: str, cache_dir: Path, overrides: list[str]) -> Path:
    # Models trained under other overrides (e.g. debug=fdr), recipes or code never shadow each other.
    return cache_dir / "zoo" / f"{name}-{cache_key(name, tuple(overrides))}.pt"


def metrics(module: nn.Module) -> dict[str, float]:
    """What the zoo recorded when it trained this model (e.g. held-out accuracy)."""
    return getattr(module, "zoo_metrics", {})

"""Check a composed config before anything is built or trained.

Every node with a `_target_` is checked against the signature of what it names:
unknown keys, values whose type contradicts the annotation, and required arguments
nobody provides all fail at once, each error naming the full key. `???` values anywhere
fail the same way. Root keys are checked against the ones train.yaml declares."""

from __future__ import annotations

import inspect
import types
import typing
from typing import Any

from hydra.utils import get_object
from omegaconf import DictConfig, ListConfig, OmegaConf

# Nodes where null means "not set here" (the runner drops those keys before building).
NULL_MEANS_UNSET = {"trainer"}


class ConfigError(ValueError):
    """A config that cannot run; the message names every offending key."""


def _type_ok(value: Any, annotation: Any) -> bool:
    """Does a plain config value fit an annotation? Unknown or complex types pass."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    if origin in (list, tuple, typing.Sequence) or annotation in (list, tuple):
        return isinstance(value, (list, tuple, ListConfig))
    if origin is dict or annotation is dict:
        return isinstance(value, (dict, DictConfig))
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    return True  # modules, tensors, callables, ...: built objects are checked by their own code


def _signature(target: str, key: str) -> tuple[inspect.Signature, dict[str, Any]]:
    try:
        obj = get_object(target)
    except Exception as e:
        raise ConfigError(f"{key}._target_: cannot import {target!r} ({e})") from None
    fn = obj.__init__ if inspect.isclass(obj) else obj
    sig = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    return sig, hints


def _check_target(node: DictConfig, key: str, provided: set[str], errors: list[str]) -> None:
    sig, hints = _signature(node._target_, key)
    params = {n: p for n, p in sig.parameters.items() if n != "self" and p.kind not in (p.VAR_POSITIONAL,)}
    takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in params.values())
    given = {k for k in node.keys() if not str(k).startswith("_")}
    if not takes_kwargs:
        for k in sorted(given - set(params)):
            valid = ", ".join(n for n, p in params.items() if p.kind != p.VAR_KEYWORD)
            errors.append(f"{key}.{k}: unknown key for {node._target_} (valid keys: {valid})")
    if not node.get("_partial_", False):
        for n, p in params.items():
            if p.default is p.empty and p.kind != p.VAR_KEYWORD and n not in given and n not in provided:
                errors.append(f"{key}.{n}: missing required value for {node._target_}")
    for k in given & set(params):
        if OmegaConf.is_missing(node, k):
            continue
        value = node[k]
        if isinstance(value, DictConfig) and "_target_" in value:
            continue
        plain = OmegaConf.to_container(value, resolve=True) if isinstance(value, (DictConfig, ListConfig)) else value
        if plain is None and key in NULL_MEANS_UNSET:
            continue
        annotation = hints.get(k, params[k].annotation)
        if isinstance(annotation, str):
            continue  # unresolvable forward reference: nothing reliable to check
        if not _type_ok(plain, annotation):
            errors.append(f"{key}.{k}: expected {getattr(annotation, '__name__', annotation)}, "
                          f"got {type(plain).__name__} {plain!r}")


def _walk(node: Any, key: str, errors: list[str], provided_by_parent: dict[str, set[str]]) -> None:
    if isinstance(node, DictConfig):
        if "_target_" in node:
            _check_target(node, key, provided_by_parent.get(key, set()), errors)
        for k in node.keys():
            child_key = f"{key}.{k}" if key else str(k)
            if OmegaConf.is_missing(node, k):
                errors.append(f"{child_key}: missing value (???): set it on the command line or in the recipe")
                continue
            _walk(node._get_node(k), child_key, errors, provided_by_parent)
    elif isinstance(node, ListConfig):
        for i, item in enumerate(node._iter_ex(resolve=False)):
            _walk(item, f"{key}[{i}]", errors, provided_by_parent)


def validate(cfg: DictConfig, root_keys: set[str] | None = None, skip: tuple[str, ...] = ("hydra",),
             provided: dict[str, set[str]] | None = None) -> None:
    """Raise ConfigError listing every problem in `cfg`.

    `provided` names arguments the runner passes itself at a key (e.g. a stage module's
    inputs from earlier stages), so they are not reported missing."""
    errors: list[str] = []
    if root_keys is not None:
        for k in sorted(set(cfg.keys()) - root_keys - set(skip)):
            errors.append(f"{k}: unknown top-level key (valid: {', '.join(sorted(root_keys))})")
    for k in cfg.keys():
        if k in skip:
            continue
        if OmegaConf.is_missing(cfg, k):
            errors.append(f"{k}: missing value (???)")
            continue
        try:
            _walk(cfg._get_node(k), str(k), errors, provided or {})
        except ConfigError as e:
            errors.append(str(e))
        except Exception as e:  # an interpolation that cannot resolve, a bad type, ...
            errors.append(f"{k}: {type(e).__name__}: {e}")
    if errors:
        raise ConfigError("invalid config:\n  " + "\n  ".join(errors))

"""A fingerprint of the code that builds a result, so a cache entry made by other code is
never served: the sources of every ganlab module a config's `_target_`s name, and of every
ganlab module those import (module-level and function-level imports alike), hashed with
the versions of torch and Lightning. Editing a file the result does not depend on keeps
the cache; editing one it does depend on, or upgrading torch, invalidates it."""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

import pytorch_lightning as pl
import torch

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _module_file(name: str) -> Path | None:
    """The source file of a ganlab module name, or None (not ganlab's, or not a module)."""
    if name != "ganlab" and not name.startswith("ganlab."):
        return None
    parts = name.split(".")[1:]
    if not parts:
        return PACKAGE_DIR / "__init__.py"
    rel = Path(*parts)
    for candidate in (PACKAGE_DIR / rel.with_suffix(".py"), PACKAGE_DIR / rel / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_of(target: str) -> str | None:
    """The longest prefix of a dotted target that is a ganlab module."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        if _module_file(".".join(parts[:end])):
            return ".".join(parts[:end])
    return None


def _imports(name: str, path: Path) -> set[str]:
    """The ganlab modules `name` imports, anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # `from pkg import submodule`
    return {m for m in (_module_of(f) for f in found if f.startswith("ganlab")) if m}


@cache
def _closure(roots: frozenset[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += _imports(name, _module_file(name))
    return tuple(sorted(seen))


def modules_behind(targets: list[str]) -> tuple[str, ...]:
    """The ganlab modules whose code the given targets run."""
    return _closure(frozenset(m for m in (_module_of(t) for t in targets if isinstance(t, str)) if m))


def code_fingerprint(targets: list[str]) -> str:
    digest = hashlib.sha256(f"torch {torch.__version__}; lightning {pl.__version__}\n".encode())
    for name in modules_behind(targets):
        digest.update(name.encode() + b"\0" + _module_file(name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]

"""Which metrics a summary shows: the test metrics that are not a per-class or
per-attribute breakdown of another one (`test/edit_success_Male` breaks down
`test/edit_success`)."""

from __future__ import annotations

from collections.abc import Iterable


def headline(names: Iterable[str]) -> list[str]:
    names = set(names)
    tests = {n for n in names if n.startswith("test/")} or names
    return sorted(n for n in tests if not any(n != m and n.startswith(m + "_") for m in tests))

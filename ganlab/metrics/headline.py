"""Which metrics a summary shows: the test metrics that are not a per-class or
per-attribute breakdown of another one (`test/edit_success_Male` breaks down
`test/edit_success`). A companion figure of another convention stays beside its
headline (`test/psnr_pooled` beside `test/psnr`, `test/edit_success_all` beside
`test/edit_success`)."""

from __future__ import annotations

from collections.abc import Iterable

COMPANIONS = ("_pooled", "_all")


def headline(names: Iterable[str]) -> list[str]:
    names = set(names)
    tests = {n for n in names if n.startswith("test/")} or names

    def breaks_down(n: str, m: str) -> bool:
        return n != m and n.startswith(m + "_") and n not in {m + c for c in COMPANIONS}

    return sorted(n for n in tests if not any(breaks_down(n, m) for m in tests))

"""What a dataset's labels are: how many entries, what kind, and their names."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("categorical", "binary", "continuous", "none")


@dataclass(frozen=True)
class LabelSpec:
    """kind: `categorical` (one-hot rows), `binary` (0/1 attribute vectors), `continuous`
    (real-valued factors, e.g. synthfaces' identity) or `none`."""

    names: tuple[str, ...]
    kind: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"label kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def dim(self) -> int:
        return len(self.names)

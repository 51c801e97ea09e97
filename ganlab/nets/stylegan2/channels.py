"""Channels per resolution. The default is rosinality's table, so FFHQ config-f (channel
multiplier 2) checkpoints load unchanged; `channels` overrides allow tiny test/CPU models."""

from __future__ import annotations

import math
from collections.abc import Mapping

RESOLUTIONS = (4, 8, 16, 32, 64, 128, 256, 512, 1024)


def channel_table(channel_multiplier: int = 2, channel_max: int | None = None,
                  scale: float = 1.0) -> dict[int, int]:
    """rosinality's table {4..32: 512, 64: 256*cm, ..., 1024: 16*cm}, optionally multiplied by
    `scale` and capped at `channel_max` (entries never drop below 1)."""
    base = {4: 512, 8: 512, 16: 512, 32: 512}
    base.update({64 * 2**i: (256 >> i) * channel_multiplier for i in range(5)})
    out = {}
    for res, ch in base.items():
        ch = max(1, int(round(ch * scale)))
        out[res] = min(ch, channel_max) if channel_max else ch
    return out


def resolve_channels(channels: Mapping | int | None, channel_multiplier: int,
                     size: int) -> dict[int, int]:
    """None -> rosinality's table; int N -> that table capped at N; mapping -> {res: ch}
    (keys may be strings, as from YAML) and must cover 4..size."""
    if channels is None:
        table = channel_table(channel_multiplier)
    elif isinstance(channels, int):
        table = channel_table(channel_multiplier, channel_max=channels)
    else:
        table = {int(k): int(v) for k, v in dict(channels).items()}
    missing = [r for r in RESOLUTIONS if r <= size and r not in table]
    if missing:
        raise ValueError(f"channel table lacks resolutions {missing} (needed up to {size})")
    return table


def check_size(size: int) -> int:
    """Return log2(size) for a power of two in 8..1024 (the table's range)."""
    log_size = int(round(math.log2(size))) if size > 0 else 0
    if size < 8 or size > 1024 or 2**log_size != size:
        raise ValueError(f"size must be a power of two in 8..1024, got {size}")
    return log_size

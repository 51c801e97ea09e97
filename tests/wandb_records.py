"""Read an offline W&B run back: its .wandb file is a LevelDB-style log (32 KiB blocks of
records, each a 7-byte header: CRC32, length, type; records split over blocks come as
first / middle / last) after a 7-byte file header, each record a wandb.proto Record."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from wandb.proto import wandb_internal_pb2

BLOCK = 32 * 1024
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def _chunks(data: bytes):
    """Payloads of the log, the file header skipped; a bad checksum fails loudly."""
    ident, _magic, _version = struct.unpack("<4sHB", data[:HEADER])
    assert ident == b":W&B", f"not a .wandb file (starts {data[:HEADER]!r})"
    pos = HEADER
    while pos + HEADER <= len(data):
        if BLOCK - pos % BLOCK < HEADER:  # the block's tail is padding
            pos += BLOCK - pos % BLOCK
            continue
        crc, length, kind = struct.unpack("<IHB", data[pos:pos + HEADER])
        if length == 0 and kind == 0:  # zero padding at the end of a written block
            pos += BLOCK - pos % BLOCK
            continue
        payload = data[pos + HEADER:pos + HEADER + length]
        assert zlib.crc32(bytes([kind]) + payload) == crc, f"bad checksum at byte {pos}"
        yield kind, payload
        pos += HEADER + length


def read_records(path: Path) -> list[wandb_internal_pb2.Record]:
    records, pending = [], b""
    for kind, payload in _chunks(Path(path).read_bytes()):
        if kind == FULL:
            pending = payload
        elif kind == FIRST:
            pending = payload
            continue
        elif kind == MIDDLE:
            pending += payload
            continue
        else:
            pending += payload
        record = wandb_internal_pb2.Record()
        record.ParseFromString(pending)
        records.append(record)
        pending = b""
    return records

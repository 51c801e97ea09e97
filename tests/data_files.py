"""Tiny datasets written in their published on-disk formats, for the loaders' tests."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from PIL import Image

CELEBA_ATTRIBUTES = (
    "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose Black_Hair "
    "Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup "
    "High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose "
    "Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat "
    "Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young").split()


def write_mnist(root: Path, n_train: int = 40, n_test: int = 10, seed: int = 0) -> Path:
    """IDX files as published (big-endian header, uint8 payload) under root/MNIST/raw."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes())
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, n) + labels.tobytes())
    return root


def write_celeba(root: Path, n: int = 12, seed: int = 0) -> Path:
    """img_align_celeba/*.jpg (178x218) + list_attr_celeba.txt + list_eval_partition.txt;
    partitions: the first 2/3 train, then val, then test."""
    images = root / "img_align_celeba"
    images.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rows, parts = [], []
    for i in range(n):
        name = f"{i + 1:06d}.jpg"
        Image.fromarray(rng.integers(0, 256, (218, 178, 3), dtype=np.uint8)).save(images / name)
        values = rng.choice([-1, 1], len(CELEBA_ATTRIBUTES))
        rows.append(f"{name} " + " ".join(f"{v:2d}" for v in values))
        parts.append(f"{name} {0 if i < 2 * n // 3 else 1 if i < 5 * n // 6 else 2}")
    (root / "list_attr_celeba.txt").write_text(f"{n}\n" + " ".join(CELEBA_ATTRIBUTES) + "\n" + "\n".join(rows) + "\n")
    (root / "list_eval_partition.txt").write_text("\n".join(parts) + "\n")
    return root


def write_image_folder(root: Path, n: int = 20, size: int = 40, seed: int = 0) -> Path:
    """PNG files in nested folders, as FFHQ ships them (images1024x1024/00000/00000.png)."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        folder = root / f"{i // 10 * 1000:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (size, size + 8, 3), dtype=np.uint8)).save(folder / f"{i:05d}.png")
    return root

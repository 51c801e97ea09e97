"""Datasets as LightningDataModules: embedded (digits, multidigits, synthfaces) and real
sets read from their published on-disk layouts (MNIST, CelebA, image folders)."""

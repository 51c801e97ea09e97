"""Metrics, one file each, torchmetrics-based; logged as val/<name> and test/<name>."""

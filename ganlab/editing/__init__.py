"""Edits of latent codes and conditions."""

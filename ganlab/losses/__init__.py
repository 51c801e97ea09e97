"""Losses: small nn.Modules (optimal transport, ...)."""

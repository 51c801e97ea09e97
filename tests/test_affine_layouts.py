"""LW's affine map on W+ codes: shared, per-layer and full layouts."""

from __future__ import annotations

import pytest
import torch

from ganlab.editing.affine import AffineEdits


@pytest.mark.parametrize(("layout", "a_shape", "b_shape"), [
    ("shared", (5, 5), (5,)), ("per_layer", (3, 5, 5), (3, 5)), ("full", (15, 15), (15,))])
def test_shapes_and_identity_init(layout, a_shape, b_shape):
    edits = AffineEdits(2, 5, layout, n_latent=3)
    assert tuple(edits.A[1].shape) == a_shape and tuple(edits.b[1].shape) == b_shape
    wplus = torch.randn(4, 3, 5)
    out = edits(wplus, 1, 1.0)
    assert out.shape == wplus.shape
    torch.testing.assert_close(out, wplus)  # A = 0, b = 0: no edit


def test_per_layer_edits_each_layer_with_its_own_map():
    edits = AffineEdits(1, 4, "per_layer", n_latent=3)
    with torch.no_grad():
        edits.b[0].copy_(torch.arange(3.0)[:, None].expand(3, 4))  # layer l moves by l
        edits.A[0][2].copy_(torch.eye(4))  # layer 2 also doubles
    w = torch.ones(2, 4)  # a W code goes in as W+ (each layer a copy)
    out = edits(w, 0, 1.0)
    assert out.shape == (2, 3, 4)
    torch.testing.assert_close(out[:, 0], w)
    torch.testing.assert_close(out[:, 1], w + 1)
    torch.testing.assert_close(out[:, 2], 2 * w + 2)
    torch.testing.assert_close(edits(w, 0, 0.5)[:, 1], w + 0.5)  # alpha scales the step


def test_full_mixes_layers_and_shared_applies_one_map():
    full = AffineEdits(1, 2, "full", n_latent=2)
    with torch.no_grad():
        full.A[0][0, 2] = 1.0  # layer 0's first coordinate reads layer 1's first
    w = torch.tensor([[[0.0, 0.0], [3.0, 0.0]]])
    assert full(w, 0)[0, 0, 0] == 3.0
    shared = AffineEdits(1, 2)
    with torch.no_grad():
        shared.b[0].fill_(1.0)
    torch.testing.assert_close(shared(w, 0), w + 1)


def test_unknown_layout_and_missing_layers_are_errors():
    with pytest.raises(ValueError, match="editor.layout must be one of"):
        AffineEdits(1, 4, "diagonal", n_latent=3)
    with pytest.raises(ValueError, match="editor.n_latent"):
        AffineEdits(1, 4, "per_layer")

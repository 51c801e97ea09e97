"""HFGI's ADA: the random perspective of its self-supervision, the aligner, and HFGI edits
whose fusion follows the edited image."""

import pytest
import torch

from ganlab.nets.inverters.distortion_alignment import (
    CORNERS,
    DistortionAligner,
    perspective_from_corners,
    random_perspective,
)
from ganlab.nets.inverters.hfgi import HFGIEncoder

from .test_inverters import images_of, tiny_generator


def test_the_homography_maps_the_target_corners_onto_the_source_corners():
    target = CORNERS + torch.tensor([[0.1, 0.2], [-0.15, 0.05], [-0.1, -0.1], [0.2, -0.05]])
    h = perspective_from_corners(CORNERS[None], target[None])[0]
    mapped = torch.cat([target, torch.ones(4, 1)], 1) @ h.T
    torch.testing.assert_close(mapped[:, :2] / mapped[:, 2:], CORNERS, atol=1e-5, rtol=0)


def test_random_perspective_keeps_unwarped_images_and_moves_warped_ones():
    images = torch.randn(6, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    kept = random_perspective(images, 0.15, 0.0, torch.Generator().manual_seed(1))  # rate 0: none warped
    torch.testing.assert_close(kept, images, atol=1e-5, rtol=0)
    warped = random_perspective(images, 0.3, 1.0, torch.Generator().manual_seed(1))
    assert ((warped - images).flatten(1).abs().amax(1) > 0.1).all()
    # corners move inward only: the border of a warped image falls outside the source (zeros)
    assert (warped[..., 0, 0] == 0).float().mean() > 0.5
    again = random_perspective(images, 0.3, 1.0, torch.Generator().manual_seed(1))
    torch.testing.assert_close(again, warped)


def test_a_fresh_aligner_passes_the_distortion_through_and_its_warps_resume():
    torch.manual_seed(0)
    aligner = DistortionAligner(3, width=8)
    distortion, image = torch.randn(2, 3, 8, 8), torch.randn(2, 3, 8, 8)
    torch.testing.assert_close(aligner(distortion, image), distortion)
    first = aligner.warp(distortion)
    copy = DistortionAligner(3, width=8)
    copy.load_state_dict(aligner.state_dict())  # a resumed run: seed and warps drawn come with the weights
    torch.testing.assert_close(copy.warp(distortion), aligner.warp(distortion))
    assert not torch.allclose(first, aligner.warp(distortion))
    with pytest.raises(ValueError, match="warp_scale"):
        DistortionAligner(3, warp_scale=1.5)


def test_hfgi_with_ada_refuses_the_distortion_for_an_edited_code():
    g = tiny_generator()
    x = images_of(g, 2)
    torch.manual_seed(0)
    plain, aligned = HFGIEncoder(g), HFGIEncoder(g, align=True)
    assert plain.consultation.aligner is None and plain(x, g).refuse is None
    # give the fusion and the aligner weights, as training would
    with torch.no_grad():
        for module in (aligned.consultation.scale[-1], aligned.consultation.shift[-1],
                       aligned.consultation.aligner.body[-1]):
            module.weight.normal_(0, 0.05)
    aligned.eval()
    with torch.no_grad():
        inversion = aligned(x, g)
        # the inversion's own code renders its reconstruction: the same image G(w) is aligned to
        torch.testing.assert_close(inversion.render(g, inversion.wplus), inversion.image)
        edited = inversion.wplus + 0.5 * torch.randn_like(inversion.wplus)
        unaligned = g.synthesis(edited, features=inversion.features)
        realigned = inversion.render(g, edited)
        assert (realigned - unaligned).abs().max() > 1e-4  # the fusion follows the edit
        assert inversion.detach().refuse is inversion.refuse
    # training draws a new misalignment per call; evaluation none
    aligned.train()
    warps = int(aligned.consultation.aligner.warps)
    aligned(x, g)
    assert int(aligned.consultation.aligner.warps) == warps + 1

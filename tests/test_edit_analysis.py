"""ganlab.editing.analysis: what bounds a latent edit (the full-set OT plan's targets, the
affine fit to them, linear / MLP separability probes, affine edits trained through G)."""

import pytest
import torch
from torch import nn

from ganlab.data.latents import LatentCodes
from ganlab.data.tasks import EditTask
from ganlab.editing.analysis.affine_fit import affine_r2, fit_affine
from ganlab.editing.analysis.ot_targets import barycentric_targets
from ganlab.editing.analysis.probes import linear_probe, mlp_probe
from ganlab.editing.analysis.task_codes import codes_of, w_splits
from ganlab.methods.editors.guided_edit import train_guided
from ganlab.methods.editors.transported_edit import train_transported


def test_the_affine_bound_recovers_an_affine_transport_map():
    """Between a cloud and its image under a symmetric positive-definite affine map, that map
    is the optimal transport: the barycentric targets are the images themselves, and the
    least-squares fit gives back (M - I, c)."""

    g = torch.Generator().manual_seed(0)
    x = torch.randn(300, 4, generator=g)
    q, _ = torch.linalg.qr(torch.randn(4, 4, generator=g))
    m = q @ torch.diag(torch.tensor([0.6, 0.9, 1.2, 1.5])) @ q.T
    c = torch.tensor([2.0, -1.0, 0.5, 3.0])
    y = x @ m.T + c
    goal = barycentric_targets(x, y[torch.randperm(300, generator=g)], blur=0.01)
    assert torch.allclose(goal, y, atol=0.05)
    edit = fit_affine(x, goal)
    assert torch.allclose(edit.A[0], m - torch.eye(4), atol=0.02) and torch.allclose(edit.b[0], c, atol=0.02)
    assert torch.allclose(edit(x, 0), y, atol=0.05)
    assert affine_r2(x, goal, edit) > 0.99
    # a plan that folds the cloud (|x| in every coordinate) is not affine: the fit explains little of it
    folded = x.abs() * 3
    assert affine_r2(x, folded, fit_affine(x, folded)) < 0.5


def test_the_affine_fit_on_w_plus_recovers_each_layout_s_map():
    """W+ codes whose layers move by their own affine maps: per_layer and full recover the
    moves exactly; the shared map, one for all layers, cannot."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(400, 3, 4, generator=g)
    maps = 0.3 * torch.randn(3, 4, 4, generator=g)
    shifts = torch.randn(3, 4, generator=g)
    goal = x + torch.einsum("nli,loi->nlo", x, maps) + shifts
    per_layer = fit_affine(x, goal, "per_layer")
    assert torch.allclose(per_layer.A[0], maps, atol=1e-4) and torch.allclose(per_layer.b[0], shifts, atol=1e-4)
    assert affine_r2(x, goal, fit_affine(x, goal, "full")) > 0.999
    assert affine_r2(x, goal, fit_affine(x, goal, "shared")) < 0.9
    with pytest.raises(ValueError, match="W codes take the shared map"):
        fit_affine(x[:, 0], goal[:, 0], "per_layer")


def test_the_probes_tell_a_linear_attribute_from_a_non_linear_one():
    """Negatives / positives split by a hyperplane are separated; split by |x_0| (a shell, no
    hyperplane separates it) the linear probe is near chance and the MLP probe is not."""

    g = torch.Generator().manual_seed(0)
    x, held = torch.randn(2000, 6, generator=g), torch.randn(1000, 6, generator=g)
    linear, held_linear = x[:, 1] + x[:, 2] > 0.3, held[:, 1] + held[:, 2] > 0.3
    assert linear_probe(x[~linear], x[linear], held[~held_linear], held[held_linear]) > 0.97
    shell, held_shell = x[:, 0].abs() > 0.7, held[:, 0].abs() > 0.7
    assert linear_probe(x[~shell], x[shell], held[~held_shell], held[held_shell]) < 0.62
    assert mlp_probe(x[~shell], x[shell], held[~held_shell], held[held_shell]) > 0.9


class PaintG(nn.Module):
    """A toy generator that paints every pixel of a 4x4 canvas with the code's first entry."""
    n_latent = 1

    def synthesis(self, wplus, randomize_noise=False):
        return wplus[:, 0, :1, None, None].expand(-1, 1, 4, 4)


def test_the_transport_ceiling_moves_codes_by_what_its_cost_sees():
    """Sources paint -0.5, targets +0.5 and differ in an unpainted entry too: a cost on the
    renders alone moves the painted entry and leaves the unpainted one; half of it on W
    moves both."""

    g = torch.Generator().manual_seed(0)
    source = torch.randn(256, 3, generator=g) * 0.1 + torch.tensor([-0.5, 0.0, 0.0])
    target = torch.randn(512, 3, generator=g) * 0.1 + torch.tensor([0.5, 1.0, 0.0])

    def moved(share: float) -> torch.Tensor:
        edit = train_transported(PaintG(), nn.Identity(), 4, source, target, steps=150, batch_size=64, lr=1e-2,
                                 seed=0, feature_share=share, blur=0.05, space="pixels", target_batch=256)
        return edit(source, 0)

    renders_only, joint = moved(1.0), moved(0.5)
    assert (renders_only[:, 0] - 0.5).abs().median() < 0.1
    assert (renders_only[:, 1:] - source[:, 1:]).abs().max() < 1e-6
    assert (joint[:, 0] - 0.5).abs().median() < 0.15 and (joint[:, 1] - 1.0).abs().median() < 0.15


def test_the_guided_ceiling_trains_an_affine_edit_through_the_generator_onto_the_guide():
    """A toy G paints every pixel with w_0, and the guide calls a canvas class 1 when it is
    bright: sources (w_0 near -0.5, class 0) must end up class 1 through the rendered images."""

    guide = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    with torch.no_grad():
        guide[1].weight.copy_(torch.stack([torch.zeros(16), torch.ones(16)]))
        guide[1].bias.zero_()
    task = EditTask("a->b", 0, 1.0, 1, 1.0)
    source = torch.randn(256, 3, generator=torch.Generator().manual_seed(0)) * 0.1 - torch.tensor([0.5, 0, 0])
    assert (source[:, 0] < 0).all()
    edit = train_guided(PaintG(), guide, task, "categorical", 4, source, steps=150, batch_size=32, lr=1e-2, seed=0)
    assert (edit(source, 0)[:, 0] > 0).float().mean() > 0.95
    assert (edit(source, 0, 0.0) == source).all()
    # the pixel MSE to the unedited render holds the edit to a shorter step
    kept = train_guided(PaintG(), guide, task, "categorical", 4, source, steps=150, batch_size=32, lr=1e-2, seed=0,
                        keep_weight=5.0)
    assert (kept(source, 0) - source).norm(dim=1).median() < 0.8 * (edit(source, 0) - source).norm(dim=1).median()


class Splits:
    """The part of a latent-code datamodule the analyses read: named splits of codes and labels."""

    def __init__(self, codes: torch.Tensor, labels: torch.Tensor):
        self.data = {name: LatentCodes(codes, labels, labels) for name in ("train", "test")}

    def split(self, name):
        return self.data[name]


def test_task_codes_select_a_tasks_sources_and_targets_and_refuse_w_plus():
    labels = torch.tensor([[0.0], [1.0], [0.0], [1.0]])
    train, test = w_splits(Splits(torch.arange(8.0).view(4, 2), labels))
    task = EditTask("0->1", 0, 0.0, 0, 1.0)
    assert codes_of(train, task.sources).tolist() == [[0.0, 1.0], [4.0, 5.0]]
    assert codes_of(test, task.targets).tolist() == [[2.0, 3.0], [6.0, 7.0]]
    with pytest.raises(ValueError, match=r"codes of shape \(3, 2\).*not W\+"):
        w_splits(Splits(torch.zeros(4, 3, 2), labels))


def test_the_analyses_name_bad_shapes_and_settings():
    with pytest.raises(ValueError, match=r"two \[N, D\] clouds of one D"):
        barycentric_targets(torch.zeros(5, 3), torch.zeros(5, 4), blur=0.1)
    with pytest.raises(ValueError, match=r"one \[N, D\] or \[N, L, D\] shape"):
        fit_affine(torch.zeros(5, 3), torch.zeros(4, 3))
    with pytest.raises(ValueError, match="space='features'"):
        train_transported(PaintG(), nn.Identity(), 4, torch.zeros(8, 3), torch.zeros(8, 3), steps=1, batch_size=4,
                          lr=1e-2, seed=0, feature_share=1.0, blur=0.05, space="features")
    with pytest.raises(ValueError, match="feature_share must lie in"):
        train_transported(PaintG(), nn.Identity(), 4, torch.zeros(8, 3), torch.zeros(8, 3), steps=1, batch_size=4,
                          lr=1e-2, seed=0, feature_share=1.5, blur=0.05, space="pixels")

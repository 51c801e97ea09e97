"""One editor interface: every editor ganlab builds answers `edit(codes, task, strength)`, and
the inversion evaluation scores any editor it is handed beside its fitted directions."""

import pytest
import torch
from torch import nn

from ganlab.editing.attribute_directions import DirectionSet, fit_directions
from ganlab.editing.boundary_editor import BoundaryEditor
from ganlab.editing.condition_swap import ConditionSwap
from ganlab.editing.editor import Editor, task_index
from ganlab.editing.mode_edit import ModeEditor, position_levels
from ganlab.editing.self_labels import SelfLabels
from ganlab.evaluation.inversion import InversionEvaluation
from ganlab.evaluation.inversion_editing import EditScores
from ganlab.methods.editors.direction_editors import GANSpaceEditor, InterFaceGANEditor
from ganlab.nets.inverters.base import Inversion

from .test_inverters import tiny_generator

NAMES = ["Male", "Young"]


def directions(dim: int, scale: float = 2.0) -> DirectionSet:
    vectors = torch.eye(dim)[:2]
    return DirectionSet("mine", NAMES, vectors, torch.tensor([scale, 1.0]))


def test_every_kind_of_editor_is_an_editor():
    stages = [cls(tasks=NAMES, label_names=NAMES, label_kind="binary", code_shape=[8])
              for cls in (InterFaceGANEditor, GANSpaceEditor)]
    fitted = fit_directions(torch.randn(64, 8), torch.randn(64, 2), {"Male": 0, "Young": 1})
    for editor in [*stages, *fitted.values(), directions(8)]:
        assert isinstance(editor, Editor) and task_index(editor, "Young") == 1
    assert not isinstance(nn.Linear(2, 2), Editor)


def test_position_editors_move_codes_to_the_position_asked_for():
    labels = SelfLabels(num_attributes=2, style_dim=4)
    normals = torch.eye(4)[:2]
    labels.fit(normals, torch.zeros(2), torch.randn(50, 4))
    boundary = BoundaryEditor(labels, NAMES)
    w = torch.randn(5, 4)
    for t in (0.0, 1.0, torch.linspace(0, 1, 5)):
        moved = boundary.edit(w, 1, t)
        assert torch.allclose(labels.positions(moved)[:, 1], torch.as_tensor(t).expand(5), atol=1e-5)
        assert torch.equal(moved[:, [0, 2, 3]], w[:, [0, 2, 3]])
    modes = ModeEditor(NAMES)
    levels = torch.rand(3, 2, 3)
    edited = modes.edit(levels, 0, 1.0)
    assert torch.equal(edited[:, 0], position_levels(1.0).expand(3, 3)) and torch.equal(edited[:, 1], levels[:, 1])
    y = torch.tensor([[0.2, 0.9], [0.7, 1.3]])
    flipped = ConditionSwap(NAMES, "binary").edit(y, 0, torch.tensor([1.0, 0.0]))
    assert torch.equal(flipped, torch.tensor([[1.0, 0.9], [0.0, 1.0]]))  # encoded y clamped to [0, 1]
    onehot = ConditionSwap(["0", "1", "2"], "categorical").edit(torch.full((2, 3), 1 / 3), 2, 1.0)
    assert torch.equal(onehot, torch.tensor([[0.0, 0.0, 1.0]] * 2))
    for editor in (boundary, modes, ConditionSwap(NAMES)):
        assert isinstance(editor, Editor)


def test_direction_edits_move_by_strength_standard_deviations_on_every_layer():
    editor = directions(4)
    wplus = torch.zeros(3, 5, 4)
    moved = editor.edit(wplus, 0, torch.tensor([1.0, -1.0, 0.5]))
    assert torch.equal(moved[:, :, 0], torch.tensor([2.0, -2.0, 1.0])[:, None].expand(3, 5))
    assert torch.equal(moved[:, :, 1:], wplus[:, :, 1:])
    assert torch.equal(editor.edit(torch.zeros(2, 4), 1, 3.0)[:, 1], torch.full((2,), 3.0))


def test_direction_edits_on_chosen_layers_move_those_layers_only():
    editor = directions(4).on_layers({"Male": [1, 3]}, n_latent=5)
    wplus = torch.randn(3, 5, 4)
    moved = editor.edit(wplus, 0, 1.0)
    assert torch.equal(moved[:, [0, 2, 4]], wplus[:, [0, 2, 4]])
    assert torch.allclose(moved[:, [1, 3]] - wplus[:, [1, 3]], torch.tensor([2.0, 0, 0, 0]).expand(3, 2, 4))
    assert torch.equal(editor.edit(wplus, 1, 1.0), directions(4).edit(wplus, 1, 1.0))  # Young: not listed, all layers
    with pytest.raises(ValueError, match=r"Male edits W\+ layers \[1, 3\] only.*\[N, 5, D\]"):
        editor.edit(torch.zeros(2, 4), 0, 1.0)
    with pytest.raises(ValueError, match=r"attributes \['Smiling'\] are not among"):
        directions(4).on_layers({"Smiling": [0]}, n_latent=5)
    for bad in ([], [5], [-1]):
        with pytest.raises(ValueError, match=r"non-empty list of W\+ layers 0\.\.4"):
            directions(4).on_layers({"Male": bad}, n_latent=5)


def test_an_unknown_task_or_a_non_editor_is_refused_by_name():
    with pytest.raises(KeyError, match="no task 'Smiling'.*Male"):
        task_index(directions(4), "Smiling")
    with pytest.raises(TypeError, match="not an editor"):
        task_index(nn.Linear(2, 2), "Male")


class MeanColour(nn.Module):
    """A judge whose logits are each image's mean of one colour channel minus its set's median."""

    def forward(self, images):
        means = images.mean((2, 3))[:, :2]
        return means - means.median(0).values


def test_the_inversion_evaluation_scores_an_editor_it_is_given():
    g = tiny_generator()
    mine = directions(g.style_dim, scale=5.0)
    scores = EditScores(g, MeanColour(), None, {"Male": 0, "Young": 1}, judge_size=32, samples=64, strength=2.0,
                        editors={"mine": mine})
    assert set(scores.editors) == {"interfacegan", "ganspace", "mine"}
    with torch.no_grad():
        wplus = g.style(torch.randn(6, g.style_dim))[:, None].expand(-1, g.n_latent, -1)
        clean = g.synthesis(wplus)
    scores.update("trg", Inversion(wplus, clean), clean)
    out = scores.summary(clean, lambda real, fake: float((real - fake).pow(2).mean()))
    assert {"test/edit_success_mine_Male_trg", "test/edit_fid_mine_Young_trg"} <= set(out)
    assert out["test/edit_fid_mine_Male_trg"] > 0  # the edit changed the images
    with pytest.raises(KeyError, match="no task 'Young'"):
        EditScores(g, MeanColour(), None, {"Male": 0, "Young": 1}, judge_size=32, samples=64, strength=2.0,
                   editors={"half": DirectionSet("half", ["Male"], torch.eye(g.style_dim)[:1], torch.ones(1))})


def test_the_inversion_evaluation_moves_the_layers_named_per_attribute():
    g = tiny_generator()
    scores = EditScores(g, MeanColour(), None, {"Male": 0, "Young": 1}, judge_size=32, samples=64, strength=2.0,
                        edit_layers={"Male": [1]})
    wplus = torch.randn(3, g.n_latent, g.style_dim)
    for method in ("interfacegan", "ganspace"):
        moved = scores.editors[method].edit(wplus, 0, 1.0) - wplus
        assert moved[:, 1].abs().sum() > 0 and torch.equal(moved[:, [i for i in range(g.n_latent) if i != 1]],
                                                            torch.zeros(3, g.n_latent - 1, g.style_dim))
        assert (scores.editors[method].edit(wplus, 1, 1.0) - wplus).abs().sum((0, 2)).min() > 0  # Young: every layer
    with pytest.raises(ValueError, match=r"edit_layers names \['Young'\].*attributes \['Male'\]"):
        InversionEvaluation(None, ["Male", "Young"], None, None, attributes=["Male"], edit_layers={"Young": [0]})


class ChannelMeans(nn.Module):
    """A judge of each image alone (as a classifier is): its first two channels' means."""

    def forward(self, images):
        return images.mean((2, 3))[:, :2]


def test_the_no_inversion_control_scores_the_editor_on_the_generators_own_samples():
    g = tiny_generator()
    still = DirectionSet("still", ["Male", "Young"], torch.eye(g.style_dim)[:2], torch.zeros(2))  # moves nothing
    scores = EditScores(g, ChannelMeans(), None, {"Male": 0, "Young": 1}, judge_size=32, samples=64, strength=2.0,
                        editors={"still": still})
    with torch.no_grad():
        wplus = g.style(torch.randn(4, g.style_dim))[:, None].expand(-1, g.n_latent, -1)
        clean = g.synthesis(wplus)
    scores.update("trg", Inversion(wplus, clean), clean)
    out = scores.summary(clean, lambda real, fake: 0.0)
    assert out["test/edit_success_still_Male_sampled"] == 0.0  # no edit flips no verdict
    assert out["test/edit_success_still_Young_sampled"] == 0.0
    assert {f"test/edit_success_{e}_Male_sampled" for e in ("interfacegan", "ganspace")} <= set(out)
    inverted = [v for k, v in out.items() if k.startswith("test/edit_success_") and k.endswith("_trg")]
    assert out["test/edit_success"] == pytest.approx(sum(inverted) / len(inverted))  # the control stays apart

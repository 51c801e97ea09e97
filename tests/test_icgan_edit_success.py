"""IcGAN's edit success on classes: the headline counts edits only (the nine other classes
for digits), the all-pairs figure also counts each image rendered under its own class; on synthfaces each
attribute flip is scored against the true counterfactual."""

import pytest
import torch
import torch.nn.functional as F

from ganlab.data.resize import to_signed
from ganlab.data.synthfaces import ATTRIBUTES, counterfactual_attributes, render, sample_attributes, sample_identity
from ganlab.evaluation.icgan import IcGANEvaluation
from ganlab.metrics.counterfactual import CounterfactualTally
from ganlab.metrics.edit_success import EditSuccess

K = 10


class ArgmaxClassifier:
    """Reads the class an 'image' (a one-hot row) stands for."""

    def predict(self, images: torch.Tensor) -> torch.Tensor:
        return F.one_hot(images.argmax(1), images.shape[1]).float()


def scores(generator, labels: torch.Tensor, z: torch.Tensor) -> tuple[float, float, list[float]]:
    evaluation = IcGANEvaluation(classifier=ArgmaxClassifier())
    edits, all_pairs = EditSuccess(K), EditSuccess(K)
    evaluation._score_class_swaps(generator, z, F.one_hot(labels, K).float(), edits, all_pairs)
    return float(edits.compute()["success_all"]), float(all_pairs.compute()["success_all"]), \
        edits.compute()["success"].tolist()


def test_an_editor_that_only_reconstructs_scores_zero_and_a_tenth_over_all_pairs():
    labels = torch.arange(20) % K
    z = F.one_hot(labels, K).float()  # the code holds the source class, which G always draws

    def generator(z, y):
        return z

    headline, every_pair, per_target = scores(generator, labels, z)
    assert headline == 0.0 and per_target == [0.0] * K
    assert every_pair == pytest.approx(1 / K)


def test_headline_and_all_pairs_on_an_editor_that_edits_half_the_images():
    labels = torch.arange(20) % K
    z = torch.cat([F.one_hot(labels, K).float(), (torch.arange(20) % 2 == 0).float()[:, None]], 1)

    def generator(z, y):  # even images take the requested class, odd ones keep their own
        return torch.where(z[:, -1:] > 0, y, z[:, :K])

    headline, every_pair, per_target = scores(generator, labels, z)
    assert headline == pytest.approx(0.5)  # 90 of the 180 edits
    assert every_pair == pytest.approx(110 / 200)  # + the 20 own-class renders, all 'reached'
    # target c: of the 9 other classes' images, those of the even classes but c edit (labels' parity = index's)
    assert per_target == pytest.approx([(5 - (c % 2 == 0)) / 9 for c in range(K)])


class RenderedFaces:
    """The part of a synthfaces datamodule the counterfactual score reads."""

    def render(self, attributes, identity):
        return to_signed(render(attributes, identity, 32))


def test_attribute_flips_are_scored_against_the_true_counterfactual():
    g = torch.Generator().manual_seed(0)
    attributes, identity = sample_attributes(16, g), sample_identity(16, g)
    faces = RenderedFaces()
    reconstruction = faces.render(attributes, identity)
    names = ["Eyeglasses", "Wearing_Hat"]
    perfect = [faces.render(counterfactual_attributes(attributes, n, 1 - attributes[:, ATTRIBUTES.index(n)]),
                            identity) for n in names]
    tally = CounterfactualTally()
    IcGANEvaluation._score_counterfactuals(perfect, reconstruction, (attributes, identity), names, faces, tally)
    IcGANEvaluation._score_counterfactuals([reconstruction, reconstruction], reconstruction, (attributes, identity),
                                           ["Young", "Male"], faces, tally)
    summary = tally.summary()
    assert summary[("Eyeglasses",)]["moved_toward"] == 1.0 and summary[("Wearing_Hat",)]["distance"] == 0.0
    assert summary[("Young",)]["moved_toward"] == 0.0  # an edit that changes nothing has not moved

"""InterFaceGAN and GANSpace directions recover a planted attribute direction."""

import pytest
import torch

from ganlab.data.base import LabelledTensors
from ganlab.editing.boundary_sources import InvertedImageBoundaries
from ganlab.editing.ganspace import component_for, fit_pca
from ganlab.editing.interfacegan import fit_boundary, orthogonalize


def planted(n=4000, d=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    codes = torch.randn(n, d, generator=g)
    truth = torch.randn(d, generator=g)
    truth /= truth.norm()
    labels = (codes @ truth > 1.2).float()  # a rare-ish attribute (~12 %)
    return codes, labels, truth


def test_svm_normal_recovers_the_planted_direction():
    codes, labels, truth = planted()
    b = fit_boundary(codes, labels)
    assert b.normal @ truth > 0.95 and abs(b.normal.norm() - 1) < 1e-5
    assert ((b.distance(codes) > 0).float() == labels).float().mean() > 0.97
    edited = b.edit(codes[:5], torch.tensor([0.0, 1, 2, 3, 4]))
    torch.testing.assert_close(b.distance(edited) - b.distance(codes[:5]), torch.arange(5.0), atol=1e-4, rtol=0)


def test_orthogonalize_removes_the_condition():
    a, c = torch.tensor([1.0, 1.0, 0.0]), torch.tensor([1.0, 0.0, 0.0])
    out = orthogonalize(a, [c])
    assert abs(out @ c) < 1e-6 and abs(out.norm() - 1) < 1e-6


def test_pca_components_and_attribute_component():
    g = torch.Generator().manual_seed(0)
    scales = torch.tensor([5.0, 3.0, 1.0, 0.5])
    codes = torch.randn(3000, 4, generator=g) * scales
    pca = fit_pca(codes, 4)
    assert abs(pca.components[0] @ torch.tensor([1.0, 0, 0, 0])) > 0.99
    torch.testing.assert_close(pca.stdevs, scales, rtol=0.08, atol=0)
    labels = (codes[:, 1] < 0).float()  # the second axis, negative side
    index, direction = component_for(pca, codes, labels)
    assert index == 1 and direction[1] < -0.99


class PixelClassifier(torch.nn.Module):
    """Logits read off the images: label 0 from pixel (0, 0), label 1 from pixel (0, 1)."""

    def __init__(self):
        super().__init__()
        self.net = lambda x: x[:, 0, 0, :2]


def test_inverted_image_boundaries_fit_on_the_real_codes_their_images_label():
    codes, labels, truth = planted()
    images = torch.zeros(len(codes), 1, 2, 2)
    images[:, 0, 0, 1] = codes @ truth - 1.2  # the classifier's logit for "Wearing_Hat"
    images[:, 0, 0, 0] = -1.0
    source = InvertedImageBoundaries(PixelClassifier(), ["Wearing_Hat"], ["Male", "Wearing_Hat"], batch_size=300)
    sampled_space = torch.nn.Linear(1, 1)  # the generator is not consulted
    normals, offsets = source(sampled_space, real_codes=codes, real_images=LabelledTensors(images, labels))
    assert normals.shape == (1, 16) and normals[0] @ truth > 0.95
    assert ((codes @ normals[0] + offsets[0] > 0).float() == labels).float().mean() > 0.97
    # Codes paired with the wrong images carry no direction.
    shuffled = LabelledTensors(images[torch.randperm(len(images), generator=torch.Generator().manual_seed(1))], labels)
    normals, _ = source(sampled_space, real_codes=codes, real_images=shuffled)
    assert abs(normals[0] @ truth) < 0.5
    with pytest.raises(ValueError, match="real images"):
        source(sampled_space)


def test_a_classifier_that_sees_one_class_only_falls_back_to_its_extremes_with_a_warning(caplog):
    codes, labels, truth = planted()
    images = torch.full((len(codes), 1, 2, 2), -5.0)
    images[:, 0, 0, 1] = codes @ truth - 20  # every logit negative, still ranked by the attribute
    source = InvertedImageBoundaries(PixelClassifier(), ["Wearing_Hat"], ["Male", "Wearing_Hat"])
    with caplog.at_level("WARNING", logger="ganlab"):
        normals, _ = source(torch.nn.Linear(1, 1), real_codes=codes, real_images=LabelledTensors(images, labels))
    assert "calls all 4000 images negative for Wearing_Hat" in caplog.text
    assert normals[0] @ truth > 0.9

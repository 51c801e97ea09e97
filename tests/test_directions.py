"""InterFaceGAN and GANSpace directions recover a planted attribute direction."""

import torch

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

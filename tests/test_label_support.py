"""Which edited label vectors the training labels support (IcGAN's test/supported/*)."""

import torch

from ganlab.data.synthfaces import ATTRIBUTES, SynthFacesDataModule
from ganlab.editing.label_support import PairSupport


def test_pair_support_rejects_combinations_the_labels_never_show():
    # attribute 0 = Male, 1 = Heavy_Makeup: never both; attribute 2 free
    train = torch.tensor([[1, 0, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1]])
    support = PairSupport(train)
    edited = torch.tensor([[1, 1, 0], [0, 1, 1], [0, 1, 0], [1, 0, 0]])
    assert support.supported(edited).tolist() == [False, False, True, True]  # (1, 1) and (a1=1, a2=1) unseen
    assert not PairSupport(torch.tensor([[0, 1], [0, 0]])).supported(torch.tensor([[1, 0]])).item()


def test_synthfaces_makeup_on_a_man_and_a_beard_on_a_woman_are_unsupported():
    labels = SynthFacesDataModule(image_size=16, num_images=2000).train_labels()
    support = PairSupport(labels)
    col = {name: i for i, name in enumerate(ATTRIBUTES)}
    assert bool(support.supported(labels).all())  # every training label supports itself
    man = labels[labels[:, col["Male"]] == 1][:50].clone()
    woman = labels[labels[:, col["Male"]] == 0][:50].clone()
    man[:, col["Heavy_Makeup"]] = 1
    woman[:, col["No_Beard"]] = 0
    assert not bool(support.supported(man).any()) and not bool(support.supported(woman).any())
    woman[:, col["No_Beard"]] = 1
    woman[:, col["Smiling"]] = 1 - woman[:, col["Smiling"]]  # a free attribute stays supported
    assert bool(support.supported(woman).all())

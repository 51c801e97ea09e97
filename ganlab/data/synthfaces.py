"""synthfaces: procedural cartoon faces with CelebA-named attributes, the embedded
stand-in for CelebA (drawing in ganlab.data.synthfaces_render).

Attributes are drawn with roughly CelebA's prevalences and its dependencies: Smiling and
Mouth_Slightly_Open correlated (rho ~ 0.55), Blond_Hair rarely Male, Heavy_Makeup and
Bangs mostly not Male, a beard only when Male; Eyeglasses, Pale_Skin and Wearing_Hat rare
(<= 6 %). Identity factors are uniform in [0, 1] and independent of the attributes.

Splits: images 0..N-1 are drawn from `seed`; a seeded permutation cuts them 80 / 10 / 10 %
into train / val / test. `factors(split)` returns every image's full attribute vector and
identity, so `render(edited_attributes, identity)` is its ground-truth counterfactual."""

from __future__ import annotations

from functools import lru_cache

import torch

from ganlab.data.base import ImageDataModule, LabelledTensors, split_indices
from ganlab.data.labels import LabelSpec
from ganlab.data.resize import to_signed
from ganlab.data.synthfaces_render import ATTRIBUTES, IDENTITY_FACTORS, render

__all__ = ["ATTRIBUTES", "IDENTITY_FACTORS", "SynthFacesDataModule", "counterfactual_attributes", "render",
           "sample_attributes", "sample_identity", "set_attribute"]


def sample_attributes(n: int, g: torch.Generator) -> torch.Tensor:
    """[n, 12] 0/1 attributes in ATTRIBUTES order."""
    u = torch.rand(n, len(ATTRIBUTES), generator=g)
    col = {name: i for i, name in enumerate(ATTRIBUTES)}
    male = u[:, col["Male"]] < 0.40
    smiling = u[:, col["Smiling"]] < 0.48
    mouth_open = u[:, col["Mouth_Slightly_Open"]] < torch.where(smiling, 0.75, 0.17)
    young = u[:, col["Young"]] < 0.75
    blond = u[:, col["Blond_Hair"]] < torch.where(male, 0.03, 0.23)
    black = ~blond & (u[:, col["Black_Hair"]] < 0.25 / 0.85)
    bangs = u[:, col["Bangs"]] < torch.where(male, 0.08, 0.197)
    makeup = ~male & (u[:, col["Heavy_Makeup"]] < 0.58)
    no_beard = ~(male & (u[:, col["No_Beard"]] < 0.375))
    glasses = u[:, col["Eyeglasses"]] < torch.where(male, 0.09, 0.04)
    pale = u[:, col["Pale_Skin"]] < 0.04
    hat = u[:, col["Wearing_Hat"]] < 0.05
    values = {"Male": male, "Smiling": smiling, "Mouth_Slightly_Open": mouth_open, "Young": young,
              "Black_Hair": black, "Blond_Hair": blond, "Bangs": bangs, "Heavy_Makeup": makeup,
              "No_Beard": no_beard, "Eyeglasses": glasses, "Pale_Skin": pale, "Wearing_Hat": hat}
    return torch.stack([values[name] for name in ATTRIBUTES], 1).float()


TARGETS = ("attributes", "identity", "attributes_identity")
EXCLUSIVE = (("Black_Hair", "Blond_Hair"),)  # one hair colour at a time (the renderer lets Blond win)


def set_attribute(attributes: torch.Tensor, name: str, value: torch.Tensor | float) -> torch.Tensor:
    """A copy of `attributes` [N, 12] with `name` set to `value`; turning on one of an
    exclusive pair turns the other off (a blond given black hair is no longer blond)."""
    out = attributes.clone()
    out[:, ATTRIBUTES.index(name)] = value
    for group in EXCLUSIVE:
        if name in group:
            on = out[:, ATTRIBUTES.index(name)] > 0.5
            for other in group:
                if other != name:
                    out[on, ATTRIBUTES.index(other)] = 0
    return out


def counterfactual_attributes(attributes: torch.Tensor, name: str, value: torch.Tensor | float) -> torch.Tensor:
    """`set_attribute`, then the hard rules of `sample_attributes` on what the change implies,
    so render(result, identity) is an image the data could hold: a beard only with Male
    (turning Male off shaves it: No_Beard = 1; turning No_Beard off makes the face Male)
    and Heavy_Makeup only without (turning Male on removes it; turning make-up on makes the
    face not Male). Soft dependencies (Smiling with an open mouth, blond hair rarely Male)
    are left as they are: the counterfactual changes the named attribute, not its odds."""
    out = set_attribute(attributes, name, value)
    col = {n: i for i, n in enumerate(ATTRIBUTES)}
    if name in ("Male", "Heavy_Makeup"):  # Male decides, or make-up forces female
        if name == "Heavy_Makeup":
            out[out[:, col["Heavy_Makeup"]] > 0.5, col["Male"]] = 0
        female = out[:, col["Male"]] < 0.5
        out[female, col["No_Beard"]] = 1
        out[~female, col["Heavy_Makeup"]] = 0
    elif name == "No_Beard":  # a beard forces Male, and a Male wears no make-up
        bearded = out[:, col["No_Beard"]] < 0.5
        out[bearded, col["Male"]] = 1
        out[bearded, col["Heavy_Makeup"]] = 0
    return out


def sample_identity(n: int, g: torch.Generator) -> torch.Tensor:
    """[n, 16] identity factors, uniform in [0, 1]."""
    return torch.rand(n, len(IDENTITY_FACTORS), generator=g)


@lru_cache(maxsize=4)
def _dataset(num_images: int, image_size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(images in [-1, 1], attributes, identity), drawn once per process and setting."""
    g = torch.Generator().manual_seed(seed)
    attributes = sample_attributes(num_images, g)
    identity = sample_identity(num_images, g)
    return to_signed(render(attributes, identity, image_size)), attributes, identity


class SynthFacesDataModule(ImageDataModule):
    def __init__(self, image_size: int = 32, num_images: int = 20000, attributes: list[str] | None = None,
                 target: str = "attributes", batch_size: int = 64, num_workers: int = 0, seed: int = 0,
                 splits: list[float] = (0.8, 0.1, 0.1)):
        """target: `attributes` (labels = the chosen attributes, 0/1), `identity` (labels =
        the 16 identity factors, for training the identity net) or `attributes_identity`
        (both, attributes first: the multi-task targets of the FID feature net)."""
        super().__init__(image_size, batch_size, num_workers, seed)
        if target not in TARGETS:
            raise ValueError(f"data.target must be one of {TARGETS}, got {target!r}")
        chosen = tuple(attributes) if attributes else ATTRIBUTES
        unknown = [a for a in chosen if a not in ATTRIBUTES]
        if unknown:
            raise ValueError(f"data.attributes: unknown synthfaces attributes {unknown}; known: {list(ATTRIBUTES)}")
        self.num_images, self.fractions, self.target = num_images, list(splits), target
        self.columns = [ATTRIBUTES.index(a) for a in chosen]
        # Identity factors (with or without the 0/1 attributes before them) are real-valued.
        self.label_spec = {"attributes": LabelSpec(chosen, "binary"),
                           "identity": LabelSpec(IDENTITY_FACTORS, "continuous"),
                           "attributes_identity": LabelSpec(chosen + IDENTITY_FACTORS, "continuous")}[target]
        self.channels = 3
        self._factors: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}

    def build_splits(self) -> dict[str, LabelledTensors]:
        images, attributes, identity = _dataset(self.num_images, self.image_size, self.seed)
        out = {}
        for name, index in split_indices(self.num_images, self.fractions, self.seed).items():
            self._factors[name] = (attributes[index], identity[index])
            labels = {"attributes": attributes[index][:, self.columns], "identity": identity[index],
                      "attributes_identity": torch.cat([attributes[index][:, self.columns], identity[index]], 1),
                      }[self.target]
            out[name] = LabelledTensors(images[index], labels)
        return out

    def factors(self, split: str) -> tuple[torch.Tensor, torch.Tensor]:
        """(all 12 attributes [N, 12], identity [N, 16]) of a split, in its order."""
        self.setup()
        return self._factors[split]

    def render(self, attributes: torch.Tensor, identity: torch.Tensor) -> torch.Tensor:
        """Counterfactual images in [-1, 1] at this datamodule's resolution."""
        return to_signed(render(attributes, identity, self.image_size))

"""Which attributes a synthfaces encoder's inversions keep: per attribute, the share of
held-out faces whose zoo-classifier verdict is the same on the image and on its inversion,
and the share of faces with the attribute (true label) whose inversion the classifier still
reads as having it. LW on inverted codes transports between faces labelled by their true
attributes, so an attribute the inversions lose is one the codes cannot edit.

    GANLAB_CACHE=/path/to/cache python scripts/reproduce/inversion_attributes_kept.py \
        [--encoder psp-synthfaces32] [--images 2000] [--zoo-overrides debug=fdr]

Zoo models missing from the cache are trained first. Prints a markdown table.
"""

from __future__ import annotations

import argparse

import torch

from ganlab import zoo
from ganlab.data.synthfaces import SynthFacesDataModule
from ganlab.evaluation.image_inversion import invert_images
from ganlab.metrics.tables import markdown_table

CLASSIFIER = "classifier-synthfaces32"


@torch.no_grad()
def attributes_kept(encoder, classifier, images: torch.Tensor, labels: torch.Tensor,
                    batch_size: int = 250) -> tuple[torch.Tensor, torch.Tensor]:
    """(verdict kept, true positives read as positive on the inversion), per attribute."""
    inverted = invert_images(encoder, images, batch_size)
    before, after = classifier.predict(images, batch_size), classifier.predict(inverted, batch_size)
    positive = labels.bool()
    kept_positive = (after.bool() & positive).sum(0) / positive.sum(0).clamp(min=1)
    return (before == after).float().mean(0), kept_positive


def main(argv: list[str] | None = None) -> list[list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--encoder", default="psp-synthfaces32", help="a zoo image encoder of synthfaces")
    parser.add_argument("--images", type=int, default=2000, help="held-out test faces")
    parser.add_argument("--zoo-overrides", nargs="*", default=[], help="e.g. debug=fdr")
    parser.add_argument("--cache-dir", default=None, help="zoo cache (default: GANLAB_CACHE or outputs/cache)")
    args = parser.parse_args(argv)
    load = dict(cache_dir=args.cache_dir, overrides=args.zoo_overrides)
    encoder, classifier = zoo.load(args.encoder, **load), zoo.load(CLASSIFIER, **load)
    data = SynthFacesDataModule(image_size=32)
    test = data.split("test")
    images, labels = test[torch.arange(min(args.images, len(test)))]
    kept, kept_positive = attributes_kept(encoder, classifier, images, labels)
    rows = [[name, f"{k:.3f}", f"{p:.3f}"]
            for name, k, p in zip(data.label_spec.names, kept.tolist(), kept_positive.tolist())]
    print(markdown_table(["attribute", "verdict kept", "true positives read positive"], rows))
    return rows


if __name__ == "__main__":
    main()

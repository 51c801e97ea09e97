"""How far one edit step for every image can go in a synthfaces StyleGAN2 itself, with no
encoder: test images x = render(a, id) at the generator's resolution and the counterfactual c
of each attribute (the attribute flipped, the data's rules applied) are inverted by the
evaluation's optimisation in W+; then, as linear_edit_ceiling.py scores a run's codes, the
evaluation's InterFaceGAN direction, the paired W+ and W steps of true pairs and the oracle
(c's own code) are scored: moved toward c, the wrong-sign control, along. First it prints the
evaluation's no-inversion control: the fitted directions applied to held-out generator samples,
the share whose classifier verdict flips. The judge is the evaluation's classifier (at its
judge size; larger images are resized for it); the settings are `--recipe`'s evaluation's.
With --fid-images N it also prints the generator's FID: N samples against N train renders, both
at the evaluation's FID size and features.

    python scripts/reproduce/generator_edit_ceiling.py [--override data.image_size=64 ...] \
        [--checkpoint FILE] [--images 128] [--steps 200] [--fid-images 5000]
"""

from __future__ import annotations

import argparse

import torch
from hydra.utils import instantiate

from ganlab.compose_config import compose
from ganlab.data.resize import resize
from ganlab.data.synthfaces import ATTRIBUTES, SynthFacesDataModule, counterfactual_attributes
from ganlab.editing.edit_sign import edit_sign
from ganlab.editing.editor import task_index
from ganlab.evaluation.edit_ceiling import ceiling_steps, score_steps
from ganlab.evaluation.inversion_editing import EditScores
from ganlab.metrics.fid import fid_against_split
from ganlab.nets.mode import evaluating
from ganlab.pretrained import pretrained_generator


def generator_fid(generator: torch.nn.Module, data: SynthFacesDataModule, settings, count: int) -> float:
    """FID of `count` samples against the first `count` train renders, both resized to the
    evaluation's FID size, on its FID features."""
    real = resize(data.split("train").images[:count], settings.fid_size)

    def sample(n: int, seed: int = 0) -> torch.Tensor:
        z = torch.randn(n, generator.style_dim, generator=torch.Generator().manual_seed(seed))
        return resize(generator([z.to(generator.w_avg.device)])[0], settings.fid_size)

    features = instantiate(settings.fid.features)
    return float(fid_against_split(sample, real_images=real, num_images=count, features=features).fid)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generator", default="stylegan2-synthfaces32", help="zoo StyleGAN2 (trained once if absent)")
    parser.add_argument("--override", nargs="*", default=[], help="its recipe overrides, e.g. data.image_size=64")
    parser.add_argument("--checkpoint", default=None, help="a rosinality-format .pt file instead of the zoo's")
    parser.add_argument("--recipe", default="uda_inversion", help="the experiment whose evaluation settings apply")
    parser.add_argument("--images", type=int, default=128, help="test images")
    parser.add_argument("--steps", type=int, default=None, help="optimisation steps (default: the evaluation's)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--fid-images", type=int, default=0, help="the generator's FID on this many images (0: none)")
    args = parser.parse_args(argv)
    settings = compose([f"+experiment={args.recipe}"]).method.evaluate
    if settings.get("optimization") is None:
        raise ValueError(f"--recipe {args.recipe}: its evaluation has no optimization settings to invert with")
    generator = pretrained_generator(args.generator, args.checkpoint, overrides=args.override)
    classifier = instantiate(settings.classifier).eval()
    columns = {name: list(settings.classifier_labels).index(name) for name in settings.attributes}
    steps = {} if args.steps is None else {"steps": args.steps}
    inverter = instantiate(settings.optimization)(generator=generator, **steps)
    data = SynthFacesDataModule(image_size=generator.size)
    attributes, identity = (t[:args.images] for t in data.factors("test"))
    sources = data.render(attributes, identity).split(args.batch_size)
    table = {}
    with torch.no_grad(), evaluating(generator), evaluating(inverter):
        if args.fid_images:
            table["fid"] = generator_fid(generator, data, settings, args.fid_images)
            print(f"FID {table['fid']:.2f} ({args.fid_images} samples at {settings.fid_size} px)")
        edits = EditScores(generator, classifier, None, columns, settings.judge_size, settings.direction_samples,
                           settings.edit_strength, control_samples=settings.num_images)
        table["sampled"] = {key.removeprefix("test/edit_success_").removesuffix("_sampled"): value
                            for key, value in edits.sampled_success().items()}
        print("no-inversion control (verdict flipped on held-out samples): "
              + ", ".join(f"{key} {value:.3f}" for key, value in table["sampled"].items()))
        editor = edits.editors["interfacegan"]
        inversions = [inverter(x, generator) for x in sources]
        codes = torch.cat([inversion.wplus for inversion in inversions])
        print(f"| {generator.size} px | attribute | editor | moved | wrong sign | along |\n|{'---|' * 6}")
        for name in columns:
            k = ATTRIBUTES.index(name)
            truths = data.render(counterfactual_attributes(attributes, name, 1 - attributes[:, k]), identity)
            truths = truths.split(args.batch_size)
            answers = torch.cat([inverter(truth, generator).wplus for truth in truths])
            sign = edit_sign(attributes[:, k]).to(codes)
            fitted = editor.edit(codes, task_index(editor, name), sign * settings.edit_strength) - codes
            rows = score_steps(inversions, generator, ceiling_steps(codes, answers, sign, {"interfacegan": fitted}),
                               list(sources), list(truths))
            for label, row in rows.items():
                table[(name, label)] = row
                print(f"| | {name} | {label} | " + " | ".join(f"{v:.3f}" for v in row.values()) + " |")
    return table


if __name__ == "__main__":
    main()

"""The judge a latent-editing recipe's evaluation scores edits with, from its prepared config."""

from __future__ import annotations

from hydra.utils import instantiate

from ganlab.evaluation.edit_scores import EditJudge


def recipe_judge(cfg, datamodule) -> EditJudge:
    """The recipe's image classifier and identity net (method.evaluate.identity, if any), in eval
    mode, judging renders of the datamodule's generator as the recipe's evaluation does."""
    identity = instantiate(cfg.method.evaluate.identity) if cfg.method.evaluate.get("identity") else None
    for part in (datamodule.generator, datamodule.classifier, identity):
        if part is not None:
            part.eval()
    return EditJudge(datamodule.generator, datamodule.classifier, datamodule.label_spec.kind,
                     datamodule.image_size, identity=identity)

"""Train a recipe: python train.py +experiment=icgan [key=value ...]"""

import os
from pathlib import Path

os.environ.setdefault("GANLAB_ROOT", str(Path(__file__).resolve().parent))

import hydra  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

import ganlab  # noqa: E402,F401  (registers the resolver that names the run folder)


@hydra.main(version_base="1.3", config_path="configs", config_name="train")
def main(cfg: DictConfig) -> float | None:
    from ganlab.runner.entry import run_task

    return run_task("train", cfg)


if __name__ == "__main__":
    main()

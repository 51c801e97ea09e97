"""ganlab: config-driven experiments for GAN-based image editing."""

from ganlab import quiet as _quiet
from ganlab.compose_config import compose
from ganlab.runner import resume_folder as _resume_folder

_quiet.install()
_resume_folder.register()  # configs/hydra/default.yaml names the run folder through it
__version__ = "0.1.0"
__all__ = ["compose"]

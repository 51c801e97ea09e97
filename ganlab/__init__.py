"""ganlab: config-driven experiments for GAN-based image editing."""

from ganlab import quiet as _quiet

_quiet.install()
__version__ = "0.1.0"

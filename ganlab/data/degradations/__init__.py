"""Image degradations that make the low-quality target domain of UDA-inversion: rain
streaks, free-form masks, bicubic down-sampling, and a per-image mix of them. Every one
maps a batch in [-1, 1] to a degraded batch of the same shape and range, on the batch's
device, drawing its randomness from a CPU torch.Generator (same seed, same result)."""

from ganlab.data.degradations.base import Degradation
from ganlab.data.degradations.downsample import Downsample
from ganlab.data.degradations.mask import FreeFormMask
from ganlab.data.degradations.mix import MixedDegradation
from ganlab.data.degradations.rain import Rain

__all__ = ["Degradation", "Downsample", "FreeFormMask", "MixedDegradation", "Rain"]

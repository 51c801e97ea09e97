"""StyleGAN2 (Karras et al. 2020) in plain, vectorised PyTorch; module and parameter names follow
rosinality/stylegan2-pytorch so its checkpoints load with strict=True. No compiled extensions."""

from .channels import channel_table
from .checkpoint import StyleGAN2Checkpoint, load_rosinality, save_rosinality
from .discriminator import Discriminator
from .generator import Generator

__all__ = ["Generator", "Discriminator", "channel_table", "load_rosinality", "save_rosinality",
           "StyleGAN2Checkpoint"]

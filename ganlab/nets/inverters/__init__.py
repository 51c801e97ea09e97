"""GAN inverters for any ganlab StyleGAN2: image -> W+ codes [B, n_latent, style_dim].

optimization (Image2StyleGAN), psp (feature-pyramid encoder), e4e (w + per-layer
offsets), hfgi (e4e + a consultation branch fusing the distortion map into the
generator's features) and hybrid (an encoder's code refined by optimization). Configs
are partial: the training module completes them with the generator (`inverter(generator=g)`),
whose shape they read but do not keep."""

from ganlab.nets.inverters.base import Inversion, Inverter

__all__ = ["Inversion", "Inverter"]

"""Losses: small nn.Modules with a `weight`, composed as a dict by the recipes and logged
as train/loss_<name>. Reconstruction losses are called as loss(target, inversion) with the
clean image and an Inversion (ganlab.nets.inverters.base) and return weight * value;
sinkhorn.py holds the optimal-transport losses of the latent editors."""

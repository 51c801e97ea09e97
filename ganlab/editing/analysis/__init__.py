"""What bounds a latent edit on a recipe's codes: the full-set OT plan's targets, the affine map
fitted to them, probes of how separable an attribute is in W, and affine edits trained through
the generator (on a guide classifier's verdict, or on LW's transport with the cost on renders)."""

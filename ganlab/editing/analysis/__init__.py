"""What bounds a latent edit on a recipe's codes: the full-set OT plan's targets, the affine map
fitted to them and probes of how separable an attribute is in W. The affine edits trained
through the generator are in ganlab.methods.editors (guided_edit, transported_edit)."""

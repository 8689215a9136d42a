"""3D structure ensembles conditioned on Hi-C maps (the E. coli 3D diffusion-transformer paper):
polymer simulations for training data, ensemble contact maps and ensemble metrics."""

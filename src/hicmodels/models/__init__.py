"""Sequence-to-Hi-C models, selected by name from the config's ``model`` section."""

from .encoder_decoder import EncoderDecoder

ARCHITECTURES = {"encoder_decoder": EncoderDecoder}


def build(config):
    """Instantiate the model a config describes.

    Parameters
    ----------
    config : dict
        ``architecture`` (a key of :data:`ARCHITECTURES`) plus the keyword
        arguments of that class.
    """
    config = dict(config)
    name = config.pop("architecture")
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; known: {sorted(ARCHITECTURES)}")
    return ARCHITECTURES[name](**config)


def bin_size(config):
    """Sequence bases per output bin: the product of the encoder's pooling factors."""
    size = 1
    for pool in config["pools"]:
        size *= pool
    return size

"""Sequence-to-Hi-C models, selected by name from the config's ``model`` section.

Families: ``encoder_decoder`` (HiCDiffusion's, trained here or imported),
``diffusion`` (its diffusion stage), ``corigami`` (C.Origami's ConvTransModel,
published weights only, :mod:`hicmodels.models.published`) and ``akita``
(Akita v1's published weights, or trained here with its dilated or a
transformer trunk and an optional variational layer) and ``mixhic``
(MIX-HIC: Hi-C maps + epigenomic tracks, pre-trained and fine-tuned on
arrays by :mod:`hicmodels.modelling.mixhic`).

A model config is a dict: ``architecture`` plus the class's keyword
arguments, and keys that are not the module's: ``tracks`` (names of the
bigWig tracks fed beside the sequence, in channel order), ``track_bin`` (bases
per track value), ``diffusion`` (the U-Net and chain of the diffusion
stage) and ``target_transform`` (:mod:`hicmodels.modelling.targets`). The
diffusion stage's config is ``{"architecture": "diffusion",
"encoder_decoder": <encoder-decoder config>, **diffusion}``.
"""

import copy
import math

from .akita import Akita
from .corigami import COrigami
from .diffusion import HiCDiffusion
from .encoder_decoder import EncoderDecoder
from .mixhic import MixHiC

ARCHITECTURES = {"encoder_decoder": EncoderDecoder, "diffusion": HiCDiffusion, "corigami": COrigami, "akita": Akita,
                 "mixhic": MixHiC}
# Bases per output bin of the families with a fixed encoder (the encoder-decoder's is its pools' product;
# Akita's too when its config sets pools, 2,048 bp as published otherwise; MIX-HIC's maps are at 5 kb).
FIXED_BIN_SIZE = {"corigami": 8192, "akita": 2048, "mixhic": 5000}
DATA_KEYS = ("tracks", "track_bin", "diffusion", "target_transform", "training")


def complete(config):
    """``config`` with the defaults of its architecture's keys filled in from the config schema.

    The defaults are the ``model_preset`` ones of
    ``workflow/schemas/config.schema.yaml`` (the classes' keyword arguments
    have none); a diffusion config's encoder-decoder is completed too. A
    config that states every key comes back equal.
    """
    from ..config import apply_defaults, config_schema

    schema = config_schema()
    config = apply_defaults(copy.deepcopy(dict(config)), schema["definitions"]["model_preset"], schema)
    if config["architecture"] == "diffusion":
        config["encoder_decoder"] = complete(config["encoder_decoder"])
    return config


def build(config):
    """Instantiate the model a config describes.

    Parameters
    ----------
    config : dict
        ``architecture`` (a key of :data:`ARCHITECTURES`) plus the keyword
        arguments of that class (a diffusion config nests its encoder-decoder's);
        keys left out take the config schema's defaults (:func:`complete`).
    """
    config = {k: v for k, v in complete(config).items() if k not in DATA_KEYS}
    name = config.pop("architecture")
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; known: {sorted(ARCHITECTURES)}")
    if name == "diffusion":
        config["encoder_decoder"] = build(config["encoder_decoder"])
    return ARCHITECTURES[name](**config)


def diffusion_config(encoder_decoder_config):
    """The diffusion stage's config for an encoder-decoder config with a ``diffusion`` entry."""
    return {"architecture": "diffusion", "encoder_decoder": dict(encoder_decoder_config),
            **encoder_decoder_config["diffusion"]}


def base_config(config):
    """The encoder-decoder config behind a model config (itself, or a diffusion stage's)."""
    return config["encoder_decoder"] if config["architecture"] == "diffusion" else config


def bin_size(config):
    """Sequence bases per output bin: the product of the encoder's pooling factors, or the family's fixed bin."""
    base = base_config(config)
    if "pools" in base:
        return math.prod(base["pools"])
    return FIXED_BIN_SIZE[base["architecture"]]


def tracks(config):
    """``(names, track_bin)`` of the tracks a model reads (``([], 1)`` for sequence only)."""
    base = base_config(config)
    return list(base.get("tracks", [])), int(base.get("track_bin", 1))

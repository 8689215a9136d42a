"""Published checkpoints -> dna2hic checkpoints, read without running code from the file.

=============== ===================================== =========================== ==========================
format          file                                  family (``architecture``)   output values
=============== ===================================== =========================== ==========================
``corigami``    C.Origami Lightning ``.ckpt``         ``corigami``                ``log1p`` contacts
``hicdiffusion`` HiCDiffusion encoder-decoder ``.ckpt`` ``encoder_decoder`` (ref.) ``log1p`` contacts
``akita``       Akita v1 Keras ``model_best.h5``      ``akita``                   ``log`` observed/expected
=============== ===================================== =========================== ==========================

**Untrusted files.** A Lightning ``.ckpt`` is a torch zip whose ``data.pkl``
may hold pickled objects besides the weights (hyperparameters as an
``argparse.Namespace``, callback states). :func:`read_lightning` lists the
pickle's globals with ``torch.serialization.get_unsafe_globals_in_checkpoint``
(which reads the opcodes, it runs nothing), substitutes an inert
:class:`NotLoaded` class for each one, and loads with ``weights_only=True``:
torch's restricted unpickler rebuilds tensors, dicts and lists, and the
substitutes only record their arguments. Globals of modules torch blocks
outright (``os``, ``posix``, ``subprocess``, ``sys``...) make it refuse the
file. The Keras file is HDF5, read with h5py: only arrays are read.

**Strict loading.** :func:`fill` requires every tensor of the file to be used
once, every parameter and buffer of the model to be filled, and equal shapes;
a mismatch is an :class:`~hicmodels.errors.InputError` naming the key and both
shapes.

**Channel order.** dna2hic one-hot encodes A, C, G, T, N. C.Origami's
encoding is A, T, C, G, N and HiCDiffusion's A, C, T, G, N: the importer
permutes the input channels of the first convolution(s) that read the
sequence, which is exact (a convolution is linear in its input channels).
Akita reads A, C, G, T (N = all zeros) and needs no permutation.
"""

import json
import re

import numpy as np
import torch

from ..errors import InputError
from ..files import file_sha256
from . import bin_size, build, complete

FORMATS = ("corigami", "hicdiffusion", "akita")
ALPHABET = "ACGTN"
ORDERS = {"corigami": "ATCGN", "hicdiffusion": "ACTGN"}


class NotLoaded:
    """Stands in for an object of a pickled class; holds what the pickle gave it, runs nothing."""

    name = "?"

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        self.args = args

    def __setstate__(self, state):
        self.state = state

    def __repr__(self):
        return f"<not loaded: {self.name}>"


def read_lightning(path):
    """A Lightning (or any torch zip) checkpoint's dict, with pickled objects replaced by :class:`NotLoaded`."""
    try:
        names = torch.serialization.get_unsafe_globals_in_checkpoint(path)
    except FileNotFoundError:
        raise InputError("checkpoint not found", path) from None
    except Exception as err:  # noqa: BLE001 -- any unreadable file is the user's input problem
        raise InputError(f"not a torch zip checkpoint ({str(err).splitlines()[0]})", path) from None
    substitutes = [(type(f"NotLoaded[{name}]", (NotLoaded,), {"name": name}), name) for name in names]
    try:
        with torch.serialization.safe_globals(substitutes):
            checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001
        blocked = re.search(r"GLOBAL (\S+) whose module \S+ is blocked", str(err))
        reason = f"its pickle calls {blocked.group(1)}" if blocked else str(err).splitlines()[0]
        raise InputError(f"refusing to load: {reason}", path) from None
    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get("state_dict"), dict):
        raise InputError("not a Lightning checkpoint (no state_dict)", path)
    return checkpoint


def fill(model, tensors, where, optional=()):
    """A state dict for ``model`` from ``tensors`` (named as the model's keys), checked strictly.

    Parameters
    ----------
    model : nn.Module
    tensors : dict
        Name -> tensor, already renamed to the model's keys.
    where : str
        The file, for messages.
    optional : tuple of str
        Key suffixes the file may lack (kept at the model's values), e.g. ``num_batches_tracked``.
    """
    expected = model.state_dict()
    unused = sorted(set(tensors) - set(expected))
    if unused:
        raise InputError(f"{len(unused)} tensor(s) of the file have no place in the model, first {unused[0]!r} "
                         f"{tuple(tensors[unused[0]].shape)}", where)
    missing = sorted(k for k in set(expected) - set(tensors) if not (optional and k.endswith(tuple(optional))))
    if missing:
        raise InputError(f"{len(missing)} model tensor(s) not in the file, first {missing[0]!r} "
                         f"{tuple(expected[missing[0]].shape)}", where)
    state = {}
    for key, target in expected.items():
        value = tensors.get(key, target)
        if tuple(value.shape) != tuple(target.shape):
            raise InputError(f"{key}: the file's tensor is {tuple(value.shape)}, the model's is "
                             f"{tuple(target.shape)}", where)
        state[key] = value.to(target.dtype).clone()
    model.load_state_dict(state, strict=True)
    return state


def permute_sequence_channels(weight, order):
    """A conv weight (out, in, ...) reading one-hot in ``order`` -> the same conv reading dna2hic's ACGTN."""
    index = [order.index(base) for base in ALPHABET]
    weight = weight.clone()
    weight[:, :5] = weight[:, index]
    return weight


def _strip(state, prefix, where):
    outside = [k for k in state if not k.startswith(prefix)]
    if outside:
        raise InputError(f"key {outside[0]!r} is not under {prefix!r}: not a checkpoint of this format", where)
    return {k.removeprefix(prefix): v for k, v in state.items()}


def _count(state, pattern):
    return len({m.group(1) for k in state if (m := re.match(pattern, k))})


# ---------------------------------------------------------------- C.Origami
def corigami_model(state, settings, where):
    """(model config, weights) of a C.Origami ``ConvTransModel`` state dict (``model.`` prefix removed)."""
    for key in ("encoder.conv_start_epi.0.weight", "attn.pos_encoder.pe", "attn.module.layers.0.linear1.weight",
                "decoder.conv_start.0.weight"):
        if key not in state:
            raise InputError(f"no {key}: not a C.Origami ConvTransModel checkpoint", where)
    pe = state["attn.pos_encoder.pe"]
    config = {"architecture": "corigami", "track_channels": int(state["encoder.conv_start_epi.0.weight"].shape[1]),
              "hidden": int(pe.shape[-1]), "decoder_hidden": int(state["decoder.conv_start.0.weight"].shape[0]),
              "transformer_layers": _count(state, r"attn\.module\.layers\.(\d+)\."),
              "heads": 8, "feedforward": int(state["attn.module.layers.0.linear1.weight"].shape[0]), "dropout": 0.1,
              "max_len": int(pe.shape[0]), "positional_encoding": "published_batch_of_one", "raw_tracks": [0],
              "tracks": ["ctcf", "atac"], "track_bin": 1, **settings}
    if len(config["tracks"]) != config["track_channels"]:
        raise InputError(f"the file's model reads {config['track_channels']} tracks; tracks names "
                         f"{config['tracks']}", where)
    state = dict(state)
    state["encoder.conv_start_seq.0.weight"] = permute_sequence_channels(state["encoder.conv_start_seq.0.weight"],
                                                                         ORDERS["corigami"])
    return config, state


# ---------------------------------------------------------------- HiCDiffusion
HICDIFFUSION_NAMES = [
    (r"encoder\.conv_blocks\.(\d+)\.main\.(.*)", r"encoder.\1.body.\2"),
    (r"encoder\.conv_blocks\.(\d+)\.downscale\.(.*)", r"encoder.\1.skip.\2"),
    (r"encoder\.transformer_encoder\.(.*)", r"transformer.\1"),
    (r"decoder\.conv_trans_blocks\.(\d+)\.main\.(.*)", r"decoder.\1.body.\2"),
    (r"reduce_layer\.0\.(.*)", r"head.\1"),
]


def hicdiffusion_names(key, where):
    """A HiCDiffusion encoder-decoder key -> the :class:`~hicmodels.models.encoder_decoder.EncoderDecoder` key."""
    for pattern, replacement in HICDIFFUSION_NAMES:
        if re.fullmatch(pattern, key):
            return re.sub(pattern, replacement, key)
    raise InputError(f"key {key!r} is not part of HiCDiffusion's encoder-decoder (give its encoder-decoder "
                     f"checkpoint, not the diffusion one)", where)


def hicdiffusion_model(state, settings, where):
    """(model config, weights) of a HiCDiffusion encoder-decoder state dict (Lightning prefix removed)."""
    if "encoder.conv_blocks.0.main.0.weight" not in state:
        raise InputError("no encoder.conv_blocks.0.main.0.weight: not a HiCDiffusion encoder-decoder checkpoint "
                         "(give its encoder-decoder checkpoint, not the diffusion one)", where)
    blocks = _count(state, r"encoder\.conv_blocks\.(\d+)\.")
    channels = [int(state["encoder.conv_blocks.0.main.0.weight"].shape[1])] + [
        int(state[f"encoder.conv_blocks.{i}.main.0.weight"].shape[0]) for i in range(blocks)]
    config = {"architecture": "encoder_decoder", "channels": channels, "pools": [2] * blocks,
              "transformer_layers": _count(state, r"encoder\.transformer_encoder\.layers\.(\d+)\."), "heads": 8,
              "feedforward": int(state["encoder.transformer_encoder.layers.0.linear1.weight"].shape[0]),
              "dilations": [2 ** (i + 1) for i in range(_count(state, r"decoder\.conv_trans_blocks\.(\d+)\."))],
              "dropout": 0.1, "head_kernel": int(state["reduce_layer.0.weight"].shape[-1]), "symmetric": False,
              "pair_order": "ji", **settings}
    renamed = {hicdiffusion_names(k, where): v for k, v in state.items()}
    for key in ("encoder.0.body.0.weight", "encoder.0.skip.0.weight"):
        renamed[key] = permute_sequence_channels(renamed[key], ORDERS["hicdiffusion"])
    return config, renamed


# ---------------------------------------------------------------- Akita
def _keras_layers(h5):
    """Layer name -> {weight name (``kernel``, ``gamma``...): array} of a Keras HDF5 file (full model or weights)."""
    root = h5["model_weights"] if "model_weights" in h5 else h5
    layers = {}
    for name in [n.decode() if isinstance(n, bytes) else n for n in root.attrs.get("layer_names", list(root))]:
        if name not in root:
            raise InputError(f"layer {name!r} is listed but has no group in the file", h5.filename)
        group = root[name]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs.get("weight_names", [])]
        if names:
            layers[name] = {n.split("/")[-1].split(":")[0]: np.asarray(group[n]) for n in names}
    return layers


def _keras_config(h5):
    raw = h5.attrs.get("model_config")
    if raw is None:
        return {}
    return json.loads(raw.decode() if isinstance(raw, bytes) else raw)


def _numbered(layers, kind):
    """Layers ``kind``, ``kind_1``, ``kind_2``... in creation order."""
    found = [(int(m.group(1) or 0), name) for name in layers if (m := re.fullmatch(rf"{kind}(?:_(\d+))?", name))]
    return [name for _, name in sorted(found)]


def akita_names(model):
    """Our Akita's conv, batch-norm and dense modules in the order Keras created its layers."""
    convs1d, convs2d = [], []
    for module in model.trunk:
        convs1d += [module] if not hasattr(module, "narrow") else [module.narrow, module.wide]
    for module in model.head:
        convs2d += [module] if not hasattr(module, "narrow") else [module.narrow, module.wide]
    names = {id(m): n for n, m in model.named_modules()}
    return [names[id(m)] for m in convs1d], [names[id(m)] for m in convs2d]


def akita_model(layers, settings, eps, where):
    """(model config, weights) of Akita v1 from its Keras layers (:func:`_keras_layers`)."""
    config = {"architecture": "akita", "targets": 5, "crop": 32, "diagonal_offset": 2, "eps": eps, "target": 0,
              **settings}
    dense = _numbered(layers, "dense")
    if len(dense) != 1:
        raise InputError(f"expected one dense layer, found {dense}: not an Akita v1 model", where)
    config["targets"] = int(layers[dense[0]]["kernel"].shape[1])
    model = build(config)
    names1d, names2d = akita_names(model)
    conv1d, conv2d, norms = _numbered(layers, "conv1d"), _numbered(layers, "conv2d"), _numbered(
        layers, "batch_normalization")
    for kind, found, wanted in (("conv1d", conv1d, names1d), ("conv2d", conv2d, names2d),
                                ("batch_normalization", norms, names1d + names2d)):
        if len(found) != len(wanted):
            raise InputError(f"{len(found)} {kind} layers, Akita v1 has {len(wanted)}", where)
    used = set(conv1d + conv2d + norms + dense)
    extra = sorted(set(layers) - used)
    if extra:
        raise InputError(f"layer {extra[0]!r} has weights ({sorted(layers[extra[0]])}) with no place in Akita v1",
                         where)
    tensors = {}

    def take(layer, weight, shape_to_torch):
        if weight not in layers[layer]:
            raise InputError(f"layer {layer!r} has no {weight} (has {sorted(layers[layer])})", where)
        return torch.from_numpy(np.ascontiguousarray(shape_to_torch(layers[layer][weight])))

    for layer, ours in zip(conv1d, names1d):
        tensors[f"{ours}.conv.weight"] = take(layer, "kernel", lambda a: a.transpose(2, 1, 0))
        if len(layers[layer]) != 1:
            raise InputError(f"layer {layer!r} has {sorted(layers[layer])}; Akita's convolutions have no bias", where)
    for layer, ours in zip(conv2d, names2d):
        tensors[f"{ours}.conv.weight"] = take(layer, "kernel", lambda a: a.transpose(3, 2, 0, 1))
        if len(layers[layer]) != 1:
            raise InputError(f"layer {layer!r} has {sorted(layers[layer])}; Akita's convolutions have no bias", where)
    keras_bn = {"gamma": "weight", "beta": "bias", "moving_mean": "running_mean", "moving_variance": "running_var"}
    for layer, ours in zip(norms, names1d + names2d):
        if set(layers[layer]) != set(keras_bn):
            raise InputError(f"layer {layer!r} has {sorted(layers[layer])}, not {sorted(keras_bn)}", where)
        for keras, torch_name in keras_bn.items():
            tensors[f"{ours}.norm.{torch_name}"] = take(layer, keras, lambda a: a)
    tensors["dense.weight"] = take(dense[0], "kernel", lambda a: a.T)
    tensors["dense.bias"] = take(dense[0], "bias", lambda a: a)
    return config, model, tensors


def read_akita(path, params_path=None):
    """Keras layers and BN epsilon of an Akita ``.h5``, and the geometry from its Basenji ``params.json``."""
    import h5py

    try:
        with h5py.File(path, "r") as h5:
            layers, keras = _keras_layers(h5), _keras_config(h5)
    except FileNotFoundError:
        raise InputError("Keras file not found", path) from None
    except OSError as err:
        raise InputError(f"not an HDF5 file ({err})", path) from None
    epsilons = {layer["config"].get("epsilon") for layer in keras.get("config", {}).get("layers", [])
                if layer.get("class_name") == "BatchNormalization"}
    epsilons.discard(None)
    if len(epsilons) > 1:
        raise InputError(f"batch-norm layers use different epsilons {sorted(epsilons)}", path)
    settings = {}
    window = 1_048_576
    if params_path:
        with open(params_path) as handle:
            params = json.load(handle).get("model", {})
        window = int(params.get("seq_length", window))
        for block in params.get("head_hic", []):
            if block.get("name") == "cropping_2d":
                settings["crop"] = int(block["cropping"])
            if block.get("name") == "upper_tri":
                settings["diagonal_offset"] = int(block["diagonal_offset"])
    return layers, (epsilons.pop() if epsilons else 1e-3), settings, window


# ---------------------------------------------------------------- entry point
VALUES = {"corigami": "log1p_contacts", "hicdiffusion": "log1p_contacts", "akita": "log_oe"}


def import_checkpoint(path, fmt, settings=None, params_path=None):
    """A dna2hic checkpoint dict (:mod:`hicmodels.modelling.checkpoints`) from a published file.

    Parameters
    ----------
    path : path
        The published file.
    fmt : str
        One of :data:`FORMATS`.
    settings : dict, optional
        Model config keys over the ones read from the file (e.g. ``tracks``,
        ``track_bin``, ``positional_encoding``, Akita's ``target``), and
        ``window_size`` (bases per window: the published models' by default).
    params_path : path, optional
        Akita's Basenji ``params.json`` (sequence length, crop, diagonal offset).
    """
    settings = dict(settings or {})
    window = settings.pop("window_size", None)
    where = str(path)
    if fmt == "akita":
        layers, eps, akita_settings, akita_window = read_akita(path, params_path)
        config, model, tensors = akita_model(layers, {**akita_settings, **settings}, eps, where)
        window = window or akita_window
        optional = ("num_batches_tracked",)
    elif fmt in ("corigami", "hicdiffusion"):
        state = read_lightning(path)["state_dict"]
        # C.Origami's LightningModule holds the network as ``self.model``; HiCDiffusion's encoder-decoder
        # is itself the LightningModule, so its keys have no prefix
        if fmt == "corigami":
            config, tensors = corigami_model(_strip(state, "model.", where), settings, where)
        else:
            config, tensors = hicdiffusion_model(state, settings, where)
        model = build(config)
        window = window or 256 * 8192
        optional = ()
    else:
        raise InputError(f"unknown format {fmt!r}; known: {list(FORMATS)}", where)
    state = fill(model, tensors, where, optional)
    binsize = bin_size(config)
    if window % binsize:
        raise InputError(f"window_size {window} is not a multiple of the model's {binsize} bp bins", where)
    return {"model_config": complete(config), "state_dict": state, "contact_scale": 1.0, "bin_size": binsize,
            "window_size": int(window), "targets": "balanced", "values": VALUES[fmt],
            "source": {"format": fmt, "file": where, "sha256": file_sha256(path)}}

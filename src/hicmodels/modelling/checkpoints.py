"""dna2hic checkpoints: one file holds a model's weights and everything needed to use them.

A checkpoint is a plain dict of tensors, numbers, strings, lists and dicts,
saved with ``torch.save`` and read with ``weights_only=True`` (no code is
unpickled). Training writes it, prediction and evaluation read it, and the
published-model importers convert other formats into it.

=================== ============================================================
key                 meaning
=================== ============================================================
``model_config``    :func:`hicmodels.models.build` config (rebuilds the model)
``state_dict``      the weights (the epoch with the lowest validation loss)
``contact_scale``   balanced contacts per unit of the model's output scale
``bin_size``        bases per output bin
``window_size``     bases per input window
``targets``         ``balanced`` or ``raw`` contacts (optional)
``epoch``           the epoch kept (1-based)
``validation_loss`` its validation loss
``training_config`` the training settings it was trained with
``values``          what the model outputs: ``log1p_contacts`` (absent: the
                    same) or ``log_oe`` (log observed/expected, Akita)
``noise_variance``  a variational Akita's Gaussian likelihood variance (its
                    latent-mean MSE on the validation windows), added to its
                    posterior-predictive draws
``source``          an imported checkpoint's origin: ``format``, ``file``,
                    ``sha256`` (:mod:`hicmodels.models.published`)
=================== ============================================================

``model_config`` states every keyword argument of the model's class
(training and the importers write it completed:
:func:`hicmodels.models.complete`). Checkpoints written before a key existed
lack it; :data:`LEGACY_MODEL_KEYS` holds the value each such checkpoint was
trained with, filled in on loading: the one place old checkpoints are
handled, kept apart from the config schema's defaults so that changing a
default never changes what an old checkpoint computes.
"""

import pickle
import warnings
import zipfile
from pathlib import Path

import torch

from ..errors import InputError
from ..files import atomic_output

REQUIRED_KEYS = ("model_config", "state_dict", "contact_scale", "bin_size", "window_size")
# Per architecture, the keys added after checkpoints were first written, with the value the code had before
# (the encoder-decoder's readout, symmetrisation and pairwise order became options with the HiCDiffusion importer;
# C.Origami's decoder width was its mid_hidden, 256 in every file that could be imported).
LEGACY_MODEL_KEYS = {"encoder_decoder": {"head_kernel": 3, "symmetric": True, "pair_order": "ij"},
                     "corigami": {"decoder_hidden": 256}}


def save_checkpoint(checkpoint, path):
    """Write a checkpoint atomically and byte-reproducibly.

    ``torch.save`` is given a file object: given a path, it names the
    archive's records after the (random) temporary file, and identical
    checkpoints would differ byte for byte.
    """
    missing = [key for key in REQUIRED_KEYS if key not in checkpoint]
    if missing:
        raise ValueError(f"checkpoint lacks {missing}")
    save_plain(checkpoint, path)


def save_plain(weights, path):
    """Write a dict of tensors and plain values atomically and byte-reproducibly (see :func:`save_checkpoint`)."""
    with atomic_output(path) as tmp, open(tmp, "wb") as out:
        torch.save(weights, out)


def load_checkpoint(path):
    """A checkpoint's dict (weights, model config, scale, geometry), loaded without unpickling code.

    Raises
    ------
    InputError
        Naming ``path``: missing file; a pickle that holds more than plain
        weights ("not a plain-weights checkpoint; refusing to unpickle it");
        a truncated or corrupt file; a dict without the keys of a checkpoint
        (for example a Lightning ``.ckpt``).
    """
    checkpoint = load_plain(path)
    missing = [key for key in REQUIRED_KEYS if key not in checkpoint]
    if missing:
        hint = " (a Lightning checkpoint? use the model.pt that training writes)" if "pytorch-lightning_version" in \
            checkpoint or "lightning_version" in checkpoint or "optimizer_states" in checkpoint else ""
        raise InputError(f"not a hicmodels checkpoint: missing {', '.join(missing)}{hint}", path)
    checkpoint["model_config"] = with_legacy_keys(checkpoint["model_config"])
    return checkpoint


def load_plain(path, what="checkpoint"):
    """A dict saved by :func:`save_plain`, loaded without unpickling code; errors name ``what`` and ``path``
    (missing, empty, not plain weights, truncated or corrupt, not a dict)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{what} not found", path)
    if path.stat().st_size == 0:
        raise InputError(f"{what} is empty (0 bytes): truncated or corrupt", path)
    _check_container(path, what)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pickle-protocol chatter from the weights-only unpickler
            weights = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise InputError(f"not a plain-weights {what}; refusing to unpickle it", path) from None
    except (RuntimeError, EOFError, ValueError, KeyError, OSError, zipfile.BadZipFile, IndexError,
            UnicodeDecodeError, AttributeError) as err:
        detail = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
        raise InputError(f"{what} is truncated or corrupt ({detail})", path) from None
    if not isinstance(weights, dict):
        raise InputError(f"not a hicmodels {what}: it holds a {type(weights).__name__}, not a dict", path)
    return weights


def with_legacy_keys(model_config):
    """A checkpoint's model config with the keys it predates (:data:`LEGACY_MODEL_KEYS`) at their old values."""
    if not isinstance(model_config, dict):
        return model_config  # :func:`load_weights` names the file when the model cannot be built
    config = {**LEGACY_MODEL_KEYS.get(model_config.get("architecture"), {}), **model_config}
    if config.get("architecture") == "diffusion" and isinstance(config.get("encoder_decoder"), dict):
        config["encoder_decoder"] = with_legacy_keys(config["encoder_decoder"])
    return config


def _check_container(path, what):
    """Refuse a file that is neither a sound zip archive (``torch.save``) nor a pickle (legacy format).

    ``torch.load`` does not check the archive's CRCs: damaged weights would load as numbers.
    """
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            raise InputError(f"{what} is truncated or corrupt ({err})", path) from None
        if bad is not None:
            raise InputError(f"{what} is truncated or corrupt (checksum of {bad} fails)", path)
        return
    with open(path, "rb") as handle:
        head = handle.read(2)
        if head == b"PK":
            raise InputError(f"{what} is truncated or corrupt (a zip archive without its directory)", path)
        if head[:1] != b"\x80":
            raise InputError(f"{what} is truncated or corrupt (neither a zip archive nor a pickle)", path)


def _describe(window_size, bin_size, preset=None):
    text = f"{window_size:,} bp windows of {bin_size:,} bp bins"
    return f"{text} of preset {preset}" if preset else text


def check_compatible(checkpoint, window_size, bin_size, path, preset=None):
    """Stop if a checkpoint was trained on other windows than this run's.

    Parameters
    ----------
    checkpoint : dict
        From :func:`load_checkpoint`.
    window_size, bin_size : int
        This run's window geometry (``bin_size`` ``None`` checks the window
        size only).
    path : path
        The checkpoint, named in the message.
    preset : str, optional
        This run's preset name, for the message; the checkpoint's is taken
        from its ``preset`` key where it has one.

    Raises
    ------
    InputError
        "checkpoint was trained on 4,096 bp windows of 128 bp bins of preset
        synthetic; this run uses 200,000 bp windows of 10,000 bp bins".
    """
    trained = int(checkpoint["window_size"]), int(checkpoint["bin_size"])
    if trained[0] == int(window_size) and (bin_size is None or trained[1] == int(bin_size)):
        return
    used = _describe(int(window_size), int(bin_size if bin_size is not None else trained[1]), preset)
    raise InputError(f"checkpoint was trained on {_describe(*trained, checkpoint.get('preset'))}; "
                     f"this run uses {used}", path)


def load_weights(model, state_dict, path):
    """``model.load_state_dict(state_dict)``; a mismatch is an :class:`InputError` naming ``path``."""
    try:
        model.load_state_dict(state_dict)
    except (RuntimeError, KeyError, ValueError) as err:
        first = str(err).splitlines()
        detail = " ".join(line.strip() for line in first[:3])[:300]
        raise InputError(f"the weights do not fit the model its config describes ({detail})", path) from None


def lightning_weights(path, prefix="model."):
    """The model weights of a Lightning checkpoint written by training, without the module prefix."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)["state_dict"]
    except (pickle.UnpicklingError, RuntimeError, EOFError, KeyError, zipfile.BadZipFile) as err:
        raise InputError(f"Lightning checkpoint is truncated or corrupt ({str(err).splitlines()[0]})", path) from None
    return {key.removeprefix(prefix): value for key, value in state.items()}


def describe(checkpoint):
    """One-line summary: architecture, parameters, window and bin sizes, values, epoch or origin."""
    parameters = sum(t.numel() for k, t in checkpoint["state_dict"].items()
                     if torch.is_tensor(t) and not k.endswith("num_batches_tracked"))
    source = checkpoint.get("source")
    origin = (f"imported from {source['format']} (sha256 {source['sha256'][:12]})" if source
              else f"epoch {checkpoint.get('epoch', '?')}")
    return (f"{checkpoint['model_config']['architecture']}, {parameters:,} parameter values, "
            f"{int(checkpoint['window_size']):,} bp windows of {int(checkpoint['bin_size']):,} bp bins, "
            f"{checkpoint.get('targets', 'balanced')} targets, values {checkpoint.get('values', 'log1p_contacts')}, "
            f"{origin}")

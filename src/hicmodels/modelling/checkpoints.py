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
``targets``         ``balanced`` or ``raw`` contacts
``epoch``           the epoch kept (1-based)
``validation_loss`` its validation loss
``training_config`` the training settings it was trained with
``values``          what the model outputs: ``log1p_contacts`` (absent: the
                    same) or ``log_oe`` (log observed/expected, Akita)
``source``          an imported checkpoint's origin: ``format``, ``file``,
                    ``sha256`` (:mod:`hicmodels.models.published`)
=================== ============================================================
"""

import pickle
import zipfile

import torch

from ..errors import InputError
from ..files import atomic_output

REQUIRED_KEYS = ("model_config", "state_dict", "contact_scale", "bin_size", "window_size", "targets")


def save_checkpoint(checkpoint, path):
    """Write a checkpoint atomically and byte-reproducibly.

    ``torch.save`` is given a file object: given a path, it names the
    archive's records after the (random) temporary file, and identical
    checkpoints would differ byte for byte.
    """
    missing = [key for key in REQUIRED_KEYS if key not in checkpoint]
    if missing:
        raise ValueError(f"checkpoint lacks {missing}")
    with atomic_output(path) as tmp, open(tmp, "wb") as out:
        torch.save(checkpoint, out)


def read_weights_file(path):
    """A torch file's contents, read with ``weights_only=True``; unreadable files as :class:`InputError`."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise InputError("checkpoint not found", path) from None
    except pickle.UnpicklingError:
        raise InputError("not a plain-weights checkpoint (it holds pickled objects); refusing to unpickle it",
                         path) from None
    except (RuntimeError, EOFError, zipfile.BadZipFile) as err:
        raise InputError(f"truncated or corrupt checkpoint ({str(err).splitlines()[0]})", path) from None


def load_checkpoint(path):
    """A dna2hic checkpoint's dict, checked for the keys of the module docstring."""
    checkpoint = read_weights_file(path)
    if not isinstance(checkpoint, dict):
        raise InputError("not a dna2hic checkpoint (not a dict of weights and settings)", path)
    missing = [key for key in REQUIRED_KEYS if key not in checkpoint]
    if missing:
        raise InputError(f"not a dna2hic checkpoint: no {', '.join(missing)}", path)
    return checkpoint


def lightning_weights(path, prefix="model."):
    """The model weights of a Lightning checkpoint written by training, without the module prefix."""
    state = read_weights_file(path)["state_dict"]
    return {key.removeprefix(prefix): value for key, value in state.items()}


def check_geometry(checkpoint, window_size, path):
    """Refuse a checkpoint whose input window differs from the windows it is asked to read."""
    if int(checkpoint["window_size"]) != int(window_size):
        raise InputError(f"checkpoint was trained on {int(checkpoint['window_size']):,} bp windows of "
                         f"{checkpoint['model_config']['architecture']}; these windows are "
                         f"{int(window_size):,} bp", path)


def describe(checkpoint):
    """One-line summary: architecture, parameters, window and bin sizes, values, epoch or origin."""
    parameters = sum(t.numel() for k, t in checkpoint["state_dict"].items()
                     if torch.is_tensor(t) and not k.endswith("num_batches_tracked"))
    source = checkpoint.get("source")
    origin = (f"imported from {source['format']} (sha256 {source['sha256'][:12]})" if source
              else f"epoch {checkpoint.get('epoch', '?')}")
    return (f"{checkpoint['model_config']['architecture']}, {parameters:,} parameter values, "
            f"{int(checkpoint['window_size']):,} bp windows of {int(checkpoint['bin_size']):,} bp bins, "
            f"{checkpoint['targets']} targets, values {checkpoint.get('values', 'log1p_contacts')}, {origin}")

"""The predictions file: one HDF5 per (model, genome) holding every predicted window's map.

``window_id`` (bytes) and ``maps`` (windows x bins x bins, gzip, chunked per
window; float32, or float16 with ``prediction.stored_dtype: float16``, read back as float32) hold contacts on the checkpoint's contact scale in the
coordinates of the sequence the model read; attributes carry
``contact_scale``, ``bin_size``, ``architecture`` and, for the diffusion
stage, ``sampling_steps``, ``sampling_eta`` and ``seed``, and ``samples``. With more than one
posterior-predictive draw per window, ``variances`` (same shape as ``maps``)
holds each pixel's variance over the draws (:mod:`.uncertainty`), and
``model_means``/``model_variances`` the draws' mean and variance in the
model's own output space (log1p contacts or log O/E, attribute
``model_space``), from which interval bounds are formed. Reading it needs no
PyTorch.
"""

import logging

import h5py
import numpy as np

from ..errors import InputError
from ..files import atomic_output

log = logging.getLogger(__name__)

# What the stored values are (attribute ``values``, copied into the assembled cooler's metadata), by the
# checkpoint's ``values``: prediction stores expm1 of log1p outputs and exp of log O/E ones.
VALUE_NAMES = {"log1p_contacts": "balanced contacts scaled to a genome-wide mean of 1",
               "log_oe": "observed/expected ratio (exp of the model's log O/E)"}


def write_predictions(path, window_ids, maps, attrs, variances=None, model_moments=None, dtype="float32"):
    """Write window maps (their per-pixel variances and model-space moments, if given) and attributes atomically.

    ``dtype`` is the maps' stored type. float16 (relative rounding error at most 2**-11) is kept for the
    maps only: variances and model-space moments stay float32. Maps with a value past float16's largest
    (65504) are stored as float32, which the log says.
    """
    nbins = maps.shape[1]
    if dtype == "float16":
        if np.nanmax(np.abs(maps), initial=0) > np.finfo(np.float16).max:
            log.warning("%s: maps exceed float16's range, stored as float32", path)
        else:
            maps = maps.astype(np.float16)
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as store:
        store.create_dataset("window_id", data=np.asarray(window_ids).astype("S"))
        model_means, model_variances = model_moments if model_moments is not None else (None, None)
        for name, data in (("maps", maps), ("variances", variances), ("model_means", model_means),
                           ("model_variances", model_variances)):
            if data is not None:
                store.create_dataset(name, data=data, compression="gzip",
                                     chunks=(1, nbins, nbins) if len(data) else None)
        for key, value in attrs.items():
            store.attrs[key] = value


def read_predictions(path):
    """``(window_ids, maps, attrs)`` of a predictions file.

    Raises
    ------
    InputError
        Naming the file when it is missing, not a predictions file or corrupt.
    """
    try:
        with h5py.File(path, "r") as store:
            ids = store["window_id"][:].astype(str)
            return ids, store["maps"][:].astype(np.float32, copy=False), dict(store.attrs)
    except FileNotFoundError:
        raise InputError("predictions file not found", path) from None
    except (OSError, KeyError, ValueError) as err:
        detail = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"not a predictions file or corrupt ({detail})", path) from None


def read_variances(path):
    """The per-pixel variances of a predictions file, or None when it holds one draw per window."""
    with h5py.File(path, "r") as store:
        return store["variances"][:] if "variances" in store else None


def read_model_moments(path):
    """``(means, variances)`` of the draws in model output space, or None when the file holds none."""
    with h5py.File(path, "r") as store:
        if "model_means" not in store:
            return None
        return store["model_means"][:], store["model_variances"][:]

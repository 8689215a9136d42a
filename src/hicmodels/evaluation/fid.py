"""Fréchet inception distance of predicted against experimental windows, as HiCDiffusion computes it.

HiCDiffusion (Methods, "Fréchet inception distance (FID)") scores the realism of predicted maps with
torchmetrics' ``FrechetInceptionDistance``: each map normalised to [0, 1], repeated to 3 channels,
Inception-v3 2048-d features of the experimental windows against those of the predicted ones, and
``||mu - mu_w||^2 + tr(S + S_w - 2 (S S_w)^(1/2))`` between the two Gaussians. The Inception weights
are not downloaded at run time: config ``metrics.fid_inception_weights`` names a local copy (the
``pt_inception-2015-12-05`` file torch-fidelity uses); without it, or without torch-fidelity, FID is
reported as unavailable (NaN, with the reason logged). Any other feature extractor (an ``nn.Module``
with a ``num_features``) gives the same distance on its features, which is how the distance is tested.
"""

import logging
from pathlib import Path

import numpy as np
import torch
from torchmetrics.image.fid import FrechetInceptionDistance

log = logging.getLogger(__name__)


def as_images(maps):
    """Maps ``(N, n, n)`` -> float images ``(N, 3, n, n)`` in [0, 1]: each map min-max scaled on its own finite
    pixels (NaN -> 0), then repeated to three channels (HiCDiffusion: "normalise our output to the [0, 1] range
    and add 2 additional channels ... by repeating the data")."""
    maps = np.asarray(maps, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        lo = np.nanmin(maps, axis=(1, 2), keepdims=True)
        span = np.nanmax(maps, axis=(1, 2), keepdims=True) - lo
        scaled = np.where(span > 0, (maps - lo) / np.where(span > 0, span, 1.0), 0.0)
    scaled = np.nan_to_num(scaled, nan=0.0)
    return torch.from_numpy(scaled).float()[:, None].repeat(1, 3, 1, 1)


def frechet_distance(experimental, predicted, feature):
    """FID of two sets of maps on the features of ``feature`` (torchmetrics, ``normalize=True``).

    Parameters
    ----------
    experimental, predicted : array, shape (N, n, n)
        Windows' maps; at least two of each (a covariance needs two).
    feature : int or torch.nn.Module
        2048 for Inception-v3 (needs torch-fidelity and its weights), or a module mapping ``(N, 3, n, n)``
        images in [0, 1] to ``(N, num_features)``.
    """
    real, fake = as_images(experimental), as_images(predicted)
    metric = FrechetInceptionDistance(feature=feature, normalize=True, input_img_size=tuple(real.shape[1:]))
    metric.update(real, real=True)
    metric.update(fake, real=False)
    return float(metric.compute())


def inception_fid(experimental, predicted, weights_path):
    """HiCDiffusion's FID with Inception-v3 read from ``weights_path``, or NaN and why not.

    Returns
    -------
    value : float
    note : str
        ``""`` when computed, else the reason it is unavailable (also logged).
    """
    if weights_path is None or not Path(weights_path).is_file():
        where = weights_path or "metrics.fid_inception_weights is not set"
        note = (f"FID unavailable: no Inception-v3 weights file ({where}); it cannot be downloaded at run time, "
                "point metrics.fid_inception_weights at a local copy")
    elif len(experimental) < 2:
        note = f"FID unavailable: {len(experimental)} window(s) scored, a covariance needs 2"
    else:
        try:
            metric = FrechetInceptionDistance(feature=2048, normalize=True,
                                              feature_extractor_weights_path=str(weights_path))
        except ModuleNotFoundError as err:
            note = f"FID unavailable: {err}"
        else:
            metric.update(as_images(experimental), real=True)
            metric.update(as_images(predicted), real=False)
            return float(metric.compute()), ""
    log.warning(note)
    return np.nan, note

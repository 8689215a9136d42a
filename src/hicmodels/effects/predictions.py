"""Predictions keyed by their input's content, made once per distinct window.

A window's key is the SHA-256 of the model's identity (the checkpoint file's
digest), the window's tracks (empty for sequence-only models) and its bases:
the same 200 kb read by the same model is one prediction, whichever variant,
haplotype, sample or background asked for it. Requests are collected first and
predicted together in full batches (:meth:`PredictionCache.flush`).
"""

import hashlib
import logging

import numpy as np

from ..files import file_sha256
from ..genome.sequence import encode, reverse_complement

log = logging.getLogger(__name__)


class PredictionCache:
    """Maps of distinct windows, predicted once.

    Parameters
    ----------
    predict : callable
        ``codes (n, length) uint8 -> maps (n, bins, bins)``, or ``(n, draws, bins, bins)``: posterior-predictive
        draws of each window.
    model_key : str
        Identifies the model (e.g. :func:`hicmodels.files.file_sha256` of the checkpoint).
    batch_size : int
        Windows per call of ``predict``.
    """

    def __init__(self, predict, model_key, batch_size):
        self.predict, self.model_key, self.batch_size = predict, model_key, batch_size
        self.maps, self.pending = {}, {}
        self.requested = 0

    def key(self, sequence, tracks=b""):
        digest = hashlib.sha256(self.model_key.encode())
        digest.update(len(tracks).to_bytes(8, "little"))
        digest.update(tracks)
        digest.update(sequence)
        return digest.hexdigest()

    def request(self, sequence, reverse=False, tracks=None):
        """Ask for the map of ``sequence`` (bytes) read forward, or reverse-complemented and flipped back.

        ``tracks`` (float32, (tracks, track bins)), for models that read them, go with the sequence
        (reversed with it) and into the key.

        Returns
        -------
        (key, reverse)
            The handle :meth:`get` takes.
        """
        codes = encode(sequence)
        if reverse:
            codes = reverse_complement(codes)
            tracks = None if tracks is None else tracks[:, ::-1]
        if tracks is not None:
            tracks = np.ascontiguousarray(tracks, dtype=np.float32)
        key = self.key(codes.tobytes(), b"" if tracks is None else tracks.tobytes())
        self.requested += 1
        if key not in self.maps and key not in self.pending:
            self.pending[key] = (codes, tracks)
        return key, reverse

    def flush(self):
        """Predict every pending window, in batches of ``batch_size``."""
        keys = list(self.pending)
        for i in range(0, len(keys), self.batch_size):
            batch = keys[i : i + self.batch_size]
            codes = np.stack([self.pending[k][0] for k in batch])
            if self.pending[batch[0]][1] is None:
                maps = self.predict(codes)
            else:
                maps = self.predict(codes, np.stack([self.pending[k][1] for k in batch]))
            for k, m in zip(batch, maps):
                self.maps[k] = np.asarray(m, dtype=np.float64)
        self.pending = {}

    def get(self, handle):
        key, reverse = handle
        matrix = self.maps[key]  # (bins, bins), or (draws, bins, bins) from a stochastic predictor
        return matrix[..., ::-1, ::-1] if reverse else matrix

    @property
    def made(self):
        return len(self.maps)


class ModelPredictor:
    """A dna2hic checkpoint as ``codes[, tracks] -> maps`` (contacts, the checkpoint's scale).

    ``track_names`` and ``track_bin``: the tracks the model reads (``[]`` for
    sequence only); their values come with each window
    (:meth:`hicmodels.modelling.tracks.TrackSet.lifted_window`).

    A stochastic model (the diffusion stage, a variational Akita) with
    ``prediction.samples`` > 1 gives ``samples`` draws per window, ``(n,
    samples, bins, bins)``: draw ``k``'s noise (diffusion) or latent (VAE) is
    seeded by ``(seed/k, "variant_effects")`` and shared by every window, so
    REF and ALT differ by their sequence only within a draw. The Gaussian
    likelihood's noise that prediction adds to a VAE draw is left out: it is
    the noise of a measured map, not uncertainty about the sequence's effect,
    and drawn apart for REF and ALT it would only add spread to every score.
    With one sample: the single map as before (the diffusion's noise seeded by
    ``seed``; the VAE's latent mean).
    """

    def __init__(self, checkpoint_path, settings, threads=None):
        import torch

        from .. import models
        from ..modelling.checkpoints import load_checkpoint
        from ..modelling.prediction import load_model
        from ..modelling.runtime import select_device

        checkpoint = load_checkpoint(checkpoint_path)
        config = checkpoint["model_config"]
        self.track_names, self.track_bin = models.tracks(config)
        self.torch = torch
        self.device = select_device(threads)
        self.model = load_model(checkpoint, self.device, settings["compile"], checkpoint_path)
        self.values = checkpoint.get("values", "log1p_contacts")
        self.window_size, self.bin_size = checkpoint["window_size"], checkpoint["bin_size"]
        self.nbins = self.window_size // self.bin_size
        self.diffusion = config["architecture"] == "diffusion"
        self.steps = (settings["sampling_steps"] or config.get("timesteps")) if self.diffusion else None
        self.eta = settings["sampling_eta"] if self.diffusion else None
        self.latent = config.get("latent") if config["architecture"] == "akita" else None
        self.samples = settings["samples"] if self.diffusion or self.latent else 1
        self.seed = settings["seed"]
        self.digest = file_sha256(checkpoint_path)

    def __call__(self, codes, tracks=None):
        from ..modelling.inputs import model_input
        from ..modelling.prediction import draw_seed, seeded_normal, to_values, window_noise
        from ..modelling.runtime import autocast

        torch = self.torch
        if tracks is None:
            tracks = np.zeros((len(codes), 0, codes.shape[1] // self.track_bin), np.float32)
        with torch.inference_mode(), autocast(self.device):
            batch = {"codes": torch.from_numpy(np.ascontiguousarray(codes)),
                     "tracks": torch.from_numpy(np.ascontiguousarray(tracks))}
            x = model_input({k: v.to(self.device) for k, v in batch.items()}, self.track_bin)
            draws = []
            for draw in range(self.samples):  # one noise draw shared by every window: REF and ALT differ by sequence
                seed = draw_seed(self.seed, draw)
                if self.diffusion:
                    noise = window_noise(["variant_effects"], self.steps, self.nbins, seed).to(self.device)
                    y = self.model(x, noise=noise.expand(len(codes), -1, -1, -1), eta=self.eta)
                elif self.samples > 1:
                    noise = seeded_normal(["variant_effects"], (self.latent, self.nbins), seed).to(self.device)
                    y = self.model(x, noise=noise.expand(len(codes), -1, -1))
                else:
                    y = self.model(x)
                draws.append(to_values(y.float(), self.values).cpu().numpy())
            return draws[0] if self.samples == 1 else np.stack(draws, axis=1)

"""Predicting window maps with a trained model (encoder-decoder or diffusion stage).

Predictions are stored per window (:mod:`.store`), as
contacts on the checkpoint's contact scale (``expm1`` of the model output), in
the coordinates of the sequence the model read; :mod:`hicmodels.hic.assemble` puts
them on the reference grid. A checkpoint whose ``values`` are ``log_oe``
(Akita) stores ``exp`` of the output: observed/expected ratios. NaN pixels
(Akita's cropped border and first diagonals) stay NaN.

Inference is batched under ``torch.inference_mode`` with batch norms folded into
the convolutions and channels-last 2D layers; on a GPU it runs in bf16
autocast, and ``compile`` wraps the model in
``torch.compile``. The diffusion stage draws its noise per window from
``(seed, window_id)``, so a window gets the same draws in every genome and
run: reference and haplotype maps differ by their sequence, not their noise.
With ``samples`` > 1 a stochastic model (the diffusion stage; a variational
Akita, whose latent draws are seeded the same way) is run that many times per
window, draw ``k`` seeded from ``(seed/k, window_id)``; the stored map is the
draws' mean and ``variances`` their per-pixel variance, both in stored
values (:mod:`.uncertainty`); the draws' mean and variance in the model's
output space (log1p contacts, log O/E) are stored too, for interval bounds
(:func:`hicmodels.hic.assemble.assemble_genome`). A variational Akita's draw is its decoder's
map at a latent draw plus, when its checkpoint has a ``noise_variance`` (the
Gaussian likelihood's, :func:`hicmodels.modelling.training.noise_variance`),
symmetric Gaussian noise of that variance, seeded likewise: a draw from the
posterior predictive of the map rather than of its mean. One sample of a
variational Akita is its latent mean (the point estimate).
"""

import logging
import tempfile
import zlib
from pathlib import Path

import numpy as np
import torch

from .. import models
from ..errors import InputError
from ..genome.liftover import read_chain
from ..genome.sequence import GenomeCodes
from ..progress import Progress
from ..files import file_sha256
from .checkpoints import check_compatible, describe, load_checkpoint, load_weights
from .inputs import WindowDataset, model_input
from .runtime import autocast, fold_batchnorm, select_device
from .store import VALUE_NAMES, write_predictions
from .tracks import TrackSet
from .uncertainty import sample_moments

log = logging.getLogger(__name__)


def seeded_normal(window_ids, shape, seed):
    """Standard normal draws ``(windows, *shape)``, seeded by ``seed`` and each window id."""
    noise = torch.empty(len(window_ids), *shape)
    for i, window_id in enumerate(window_ids):
        generator = torch.Generator().manual_seed(zlib.crc32(f"{seed}:{window_id}".encode()))
        noise[i] = torch.randn(*shape, generator=generator)
    return noise


def window_noise(window_ids, steps, nbins, seed):
    """The diffusion stage's noise, (windows, steps, nbins, nbins), seeded by ``seed`` and each window id."""
    return seeded_normal(window_ids, (steps, nbins, nbins), seed)


def likelihood_noise(window_ids, nbins, seed):
    """Symmetric standard normal maps (windows, nbins, nbins): the upper triangle's draws mirrored."""
    noise = seeded_normal(window_ids, (nbins, nbins), f"{seed}:likelihood")
    return torch.triu(noise) + torch.triu(noise, 1).transpose(-1, -2)


def draw_seed(seed, draw):
    """The noise seed of posterior-predictive draw ``draw``: ``seed`` itself for the first (one draw: as before)."""
    return seed if draw == 0 else f"{seed}/{draw}"


def to_values(y, values):
    """Model output -> stored values: ``expm1`` (clamped at 0) of log1p contacts, ``exp`` of log O/E."""
    return torch.exp(y) if values == "log_oe" else torch.expm1(y).clamp_min(0)


def load_model(checkpoint, device, compile, path=None):
    """The checkpoint's model ready for inference on ``device``, optionally compiled.

    Eval mode, batch norms folded into their convolutions (:func:`.runtime.fold_batchnorm`) and 2D
    layers channels-last, on the CPU as on a GPU (oneDNN's and cuDNN's faster layout for the 2D
    decoder; docs/benchmarks.md); compiled with inductor's freezing on the CPU. Compiling turns off
    PyTorch's fused transformer inference kernel for the whole process (it cannot be compiled). ``path`` (the checkpoint file) is named when the weights do not
    fit the model.
    """
    try:
        model = models.build(checkpoint["model_config"])
    except (TypeError, ValueError, KeyError) as err:
        raise InputError(f"the checkpoint's model_config cannot build a model ({err})", path) from None
    load_weights(model, checkpoint["state_dict"], path)
    model.to(device).eval()
    fold_batchnorm(model)
    model.to(memory_format=torch.channels_last)
    if not compile:
        return model
    # nn.TransformerEncoderLayer's fused inference kernel has a fake kernel whose output strides the code
    # inductor generates rejects (torch 2.13, fp32 under inference_mode: every encoder-decoder failed to
    # predict with compile on): compiled models take the layer's ordinary path, which inductor fuses itself
    torch.backends.mha.set_fastpath_enabled(False)
    # on the CPU, freezing makes the weights constants: oneDNN convolutions with prepacked weights and
    # fused activations (docs/benchmarks.md: the encoder's conv tower 25% faster)
    return torch.compile(model, options={"freezing": True} if device.type == "cpu" else None)


def predict(*, checkpoint_path, fasta_path, windows, out_path, settings, threads=None, track_paths=None,
            aliases=None, chain=None):
    """Predict every ``ok`` window of a window table.

    Parameters
    ----------
    checkpoint_path : path
        A dna2hic checkpoint (:mod:`hicmodels.modelling.checkpoints`).
    fasta_path : path
        The genome the windows' ``seq_*`` columns refer to (reference or haplotype).
    windows : DataFrame
        Window table (:mod:`hicmodels.genome.windows`).
    out_path : path
        HDF5 file written.
    settings : dict
        Config section ``prediction``: ``batch_size``, ``compile`` (run the
        model through ``torch.compile``), ``sampling_steps`` (diffusion
        sampling steps; ``None``: the training chain's length),
        ``sampling_eta`` (DDIM's eta: 1 stochastic, 0 deterministic),
        ``seed`` (of the diffusion noise).
    threads : int, optional
        CPU threads (the rule's ``threads``; ``None``: PyTorch's choice).
    track_paths : dict, optional
        Track name -> bigWig (reference coordinates), for models that read
        tracks. They are read beside the window's sequence (``seq_*``): on a
        haplotype, through ``chain``.
    aliases : dict, optional
        Chromosome aliases for the bigWigs.
    chain : path, optional
        Reference -> haplotype chain when ``fasta_path`` is a haplotype; needed
        by models that read tracks.
    """
    checkpoint = load_checkpoint(checkpoint_path)
    config = checkpoint["model_config"]
    seed = settings["seed"]
    log.info("%s: %s", checkpoint_path, describe(checkpoint))
    todo = windows[windows["status"] == "ok"]
    sizes = (todo["seq_end"] - todo["seq_start"]).unique()
    if len(sizes) > 1:
        raise InputError(f"the window table mixes window sizes {sorted(sizes)}")
    if len(sizes):
        check_compatible(checkpoint, int(sizes[0]), None, checkpoint_path)
    device = select_device(threads)
    model = load_model(checkpoint, device, settings["compile"], checkpoint_path)
    diffusion = config["architecture"] == "diffusion"
    values = checkpoint.get("values", "log1p_contacts")
    steps = (settings["sampling_steps"] or config["timesteps"]) if diffusion else None
    eta = settings["sampling_eta"] if diffusion else None
    nbins = checkpoint["window_size"] // checkpoint["bin_size"]
    names, track_bin = models.tracks(config)
    latent = config.get("latent") if config["architecture"] == "akita" else None
    # a deterministic model's draws would all be equal: one, and no variances
    samples = settings["samples"] if diffusion or latent else 1
    maps = np.empty((len(todo), nbins, nbins), dtype=np.float32)
    variances = np.empty_like(maps) if samples > 1 else None
    model_moments = (np.empty_like(maps), np.empty_like(maps)) if samples > 1 else None
    noise_sd = float(np.sqrt(checkpoint.get("noise_variance", 0.0)))
    if len(todo):
        with tempfile.TemporaryDirectory() as scratch:
            genome = GenomeCodes.from_fasta(fasta_path, Path(scratch) / "genome.npy", todo["seq_chrom"].unique())
            tracks = window_tracks(track_paths, names, track_bin, aliases, todo, chain) if names else None
            loader = torch.utils.data.DataLoader(WindowDataset(genome, todo, tracks=tracks),
                                                 batch_size=settings["batch_size"])
            ids = todo["window_id"].to_numpy()
            progress = Progress(len(todo), "predicting windows", log)
            with torch.inference_mode(), autocast(device):
                for batch in loader:
                    index = batch["index"].numpy()
                    x = model_input({k: v.to(device) for k, v in batch.items() if k != "index"}, track_bin)
                    draws, outputs = [], []
                    for draw in range(samples):
                        if diffusion:
                            noise = window_noise(ids[index], steps, nbins, draw_seed(seed, draw))
                            y = model(x, noise=noise.to(device), eta=eta)
                        elif latent and samples > 1:  # the latent: (channels, positions), a position per bin
                            noise = seeded_normal(ids[index], (latent, nbins), draw_seed(seed, draw))
                            y = model(x, noise=noise.to(device))
                            if noise_sd:  # the Gaussian likelihood's own noise: a posterior-predictive draw of y
                                y = y + noise_sd * likelihood_noise(ids[index], nbins, draw_seed(seed, draw)).to(device)
                        else:
                            y = model(x)
                        draws.append(to_values(y.float(), values).cpu().numpy())
                        if samples > 1:  # the draws in model space too, for interval bounds
                            outputs.append(y.float().cpu().numpy())
                    maps[index], variance = sample_moments(np.stack(draws))
                    if variances is not None:
                        variances[index] = variance
                        model_moments[0][index], model_moments[1][index] = sample_moments(np.stack(outputs))
                    progress.advance(len(index))
    log.info("predicted %d windows with the %s model%s (%d skipped: status not ok)", len(todo), config["architecture"],
             f", {steps} sampling steps (eta {eta})" if diffusion else "", len(windows) - len(todo))
    attrs = {"contact_scale": checkpoint["contact_scale"], "bin_size": checkpoint["bin_size"],
             "architecture": config["architecture"], "values": VALUE_NAMES[values],
             "checkpoint_sha256": file_sha256(checkpoint_path)}
    if "source" in checkpoint:
        attrs.update(source_format=checkpoint["source"]["format"], source_sha256=checkpoint["source"]["sha256"])
    if diffusion:
        attrs.update(sampling_steps=steps, sampling_eta=eta, seed=seed)
    if samples > 1:
        attrs.update(samples=samples, seed=seed, model_space=values)
    write_predictions(out_path, todo["window_id"].to_numpy(), maps, attrs, variances, model_moments)


def window_tracks(track_paths, names, track_bin, aliases, windows, chain):
    """The tracks in the coordinates of the windows' sequence: the reference's, or lifted through ``chain``."""
    personal_chroms = list(windows["seq_chrom"].unique())
    if chain is None:
        if not ((windows["seq_chrom"] == windows["chrom"]) & (windows["seq_start"] == windows["start"])).all():
            raise InputError("the windows are not reference windows: give the haplotype's chain to lift the tracks")
        return TrackSet.from_bigwigs(track_paths or {}, names, personal_chroms, track_bin, aliases)
    blocks, _, personal_sizes = read_chain(chain)
    sources = list(dict.fromkeys(blocks.loc[blocks["pchrom"].isin(personal_chroms), "chrom"]))
    reference = TrackSet.from_bigwigs(track_paths or {}, names, sources, track_bin, aliases)
    return reference.lifted(blocks, {chrom: personal_sizes[chrom] for chrom in personal_chroms})

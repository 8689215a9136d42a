"""Predicting window maps with a trained model (encoder-decoder or diffusion stage).

Predictions are stored per window (:mod:`.store`), as
contacts on the checkpoint's contact scale (``expm1`` of the model output), in
the coordinates of the sequence the model read; :mod:`hicmodels.hic.assemble` puts
them on the reference grid. A checkpoint whose ``values`` are ``log_oe``
(Akita) stores ``exp`` of the output: observed/expected ratios. NaN pixels
(Akita's cropped border and first diagonals) stay NaN.

One call predicts several genomes (:func:`predict_genomes`; a workflow job predicts
``prediction.genomes_per_job`` of them): the model is loaded once and the batches are filled across
genomes, each genome's file the same bytes as when it is predicted alone. Inference is batched
under ``torch.inference_mode`` with batch norms folded into
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
import queue
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .. import models
from ..config import resolve, section_schema
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


@dataclass(frozen=True)
class Genome:
    """One genome of a prediction job.

    Attributes
    ----------
    fasta : path
        The genome the windows' ``seq_*`` columns refer to (reference or haplotype).
    windows : DataFrame
        Its window table (:mod:`hicmodels.genome.windows`).
    out : path
        Predictions file written (HDF5, :mod:`.store`).
    chain : path, optional
        Reference -> haplotype chain when ``fasta`` is a haplotype; needed by models that read tracks.
    """

    fasta: Path
    windows: pd.DataFrame
    out: Path
    chain: Path | None = None


def predict(*, checkpoint_path, fasta_path, windows, out_path, settings, threads=None, track_paths=None,
            aliases=None, chain=None):
    """Predict every ``ok`` window of one genome's window table (:func:`predict_genomes` with one genome)."""
    predict_genomes(checkpoint_path=checkpoint_path, genomes=[Genome(fasta_path, windows, out_path, chain)],
                    settings=settings, threads=threads, track_paths=track_paths, aliases=aliases)


def predict_genomes(*, checkpoint_path, genomes, settings, threads=None, track_paths=None, aliases=None):
    """Predict every ``ok`` window of several genomes with one model load, in batches filled across genomes.

    The genomes' windows form one stream in the given order, cut into batches of ``batch_size``; the last
    batch is padded to full size by repeating its last window (dropped again), so every window is computed
    in a batch of the same shape and a genome's maps do not depend on which genomes share its job (the
    CPU's and GPU's kernels may pick another reduction order for another batch shape). Input preparation
    (genome encoding, window fetch, tracks) runs in a background thread a few batches ahead of the model
    (:func:`prefetched`). Each genome's file is written as soon as its last window is predicted.

    Parameters
    ----------
    checkpoint_path : path
        A dna2hic checkpoint (:mod:`hicmodels.modelling.checkpoints`).
    genomes : list of Genome
        What to predict, in this order.
    settings : dict
        Config section ``prediction`` (absent keys take the schema's defaults): ``batch_size``, ``compile``
        (run the model through ``torch.compile``), ``sampling_steps`` (diffusion sampling steps; ``None``:
        the training chain's length), ``sampling_eta`` (DDIM's eta: 1 stochastic, 0 deterministic), ``seed``
        (of the diffusion noise), ``samples``, ``stored_dtype`` (of the stored maps: float32, or float16 for
        half the disk).
    threads : int, optional
        CPU threads (the rule's ``threads``; ``None``: PyTorch's choice).
    track_paths : dict, optional
        Track name -> bigWig (reference coordinates), for models that read tracks. They are read beside
        each window's sequence (``seq_*``): on a haplotype, through its ``chain``.
    aliases : dict, optional
        Chromosome aliases for the bigWigs.
    """
    settings = resolve(settings, section_schema("prediction"), "prediction settings")
    checkpoint = load_checkpoint(checkpoint_path)
    config = checkpoint["model_config"]
    seed = settings["seed"]
    log.info("%s: %s", checkpoint_path, describe(checkpoint))
    todos = [genome.windows[genome.windows["status"] == "ok"] for genome in genomes]
    for genome, todo in zip(genomes, todos):
        sizes = (todo["seq_end"] - todo["seq_start"]).unique()
        if len(sizes) > 1:
            raise InputError(f"the window table mixes window sizes {sorted(sizes)}", genome.fasta)
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
    noise_sd = float(np.sqrt(checkpoint.get("noise_variance", 0.0)))
    attrs = {"contact_scale": checkpoint["contact_scale"], "bin_size": checkpoint["bin_size"],
             "architecture": config["architecture"], "values": VALUE_NAMES[values],
             "checkpoint_sha256": file_sha256(checkpoint_path)}
    if "source" in checkpoint:
        attrs.update(source_format=checkpoint["source"]["format"], source_sha256=checkpoint["source"]["sha256"])
    if diffusion:
        attrs.update(sampling_steps=steps, sampling_eta=eta, seed=seed)
    if samples > 1:
        attrs.update(samples=samples, seed=seed, model_space=values)
    results = [GenomeMaps(len(todo), nbins, samples > 1) for todo in todos]
    progress = Progress(sum(map(len, todos)), "predicting windows", log)

    def finish(g):
        log.info("%s: predicted %d windows with the %s model%s (%d skipped: status not ok)", genomes[g].fasta,
                 len(todos[g]), config["architecture"], f", {steps} sampling steps (eta {eta})" if diffusion else "",
                 len(genomes[g].windows) - len(todos[g]))
        maps = results[g]
        write_predictions(genomes[g].out, todos[g]["window_id"].to_numpy(), maps.maps, attrs, maps.variances,
                          maps.model_moments, settings["stored_dtype"])
        results[g] = None  # its memory goes before the next genome's

    for g, todo in enumerate(todos):  # genomes without windows to predict: nothing to wait for
        if not len(todo):
            finish(g)
    with tempfile.TemporaryDirectory() as scratch:
        batches = window_batches(genomes, todos, settings["batch_size"], Path(scratch),
                                 lambda genome, todo: window_tracks(track_paths, names, track_bin, aliases, todo,
                                                                    genome.chain) if names else None,
                                 pin=device.type == "cuda")
        with torch.inference_mode(), autocast(device):
            for batch in prefetched(batches):
                ids, kept = batch["window_id"], batch["kept"]
                x = model_input({k: batch[k].to(device, non_blocking=True) for k in ("codes", "tracks")}, track_bin)
                draws, outputs = [], []
                for draw in range(samples):
                    if diffusion:
                        y = model(x, noise=window_noise(ids, steps, nbins, draw_seed(seed, draw)).to(device), eta=eta)
                    elif latent and samples > 1:  # the latent: (channels, positions), a position per bin
                        y = model(x, noise=seeded_normal(ids, (latent, nbins), draw_seed(seed, draw)).to(device))
                        if noise_sd:  # the Gaussian likelihood's own noise: a posterior-predictive draw of y
                            y = y + noise_sd * likelihood_noise(ids, nbins, draw_seed(seed, draw)).to(device)
                    else:
                        y = model(x)
                    draws.append(to_values(y.float(), values).cpu().numpy()[:kept])
                    if samples > 1:  # the draws in model space too, for interval bounds
                        outputs.append(y.float().cpu().numpy()[:kept])
                moments = sample_moments(np.stack(draws))
                model_moments = sample_moments(np.stack(outputs)) if samples > 1 else None
                for g in np.unique(batch["genome"][:kept]):
                    rows = np.flatnonzero(batch["genome"][:kept] == g)
                    if results[g].put(batch["index"][rows], rows, moments, model_moments):
                        finish(g)
                progress.advance(kept)


class GenomeMaps:
    """One genome's predicted maps (and, with several draws, their moments), filled batch by batch."""

    def __init__(self, n, nbins, moments):
        self.maps = np.empty((n, nbins, nbins), dtype=np.float32)
        self.variances = np.empty_like(self.maps) if moments else None
        self.model_moments = (np.empty_like(self.maps), np.empty_like(self.maps)) if moments else None
        self.left = n

    def put(self, index, rows, moments, model_moments):
        """Store rows ``rows`` of a batch's ``(mean, variance)`` (and model-space moments) at window positions
        ``index``; True when every window is in."""
        self.maps[index] = moments[0][rows]
        if self.variances is not None:
            self.variances[index] = moments[1][rows]
            self.model_moments[0][index], self.model_moments[1][index] = (m[rows] for m in model_moments)
        self.left -= len(index)
        return self.left == 0


def window_batches(genomes, todos, batch_size, scratch, tracks_of, pin=False):
    """Batches of every genome's windows, in order, filled across genomes; the last one padded to full size.

    Yields dicts: ``codes`` (batch, length) uint8, ``tracks``, ``window_id`` (list), ``genome`` and
    ``index`` (each row's genome and its position in that genome's ``ok`` windows) and ``kept`` (the rows
    before the padding). A genome is encoded (a memory-mapped file in ``scratch``, removed after its last
    window) only when its windows are reached. ``pin``: page-locked tensors, for asynchronous copies to a GPU.
    """
    rows = []

    def batch(items, kept):
        out = torch.utils.data.default_collate([item for _, _, item in items])
        if pin:
            out = {k: v.pin_memory() for k, v in out.items()}
        return {**out, "window_id": [window_id for _, window_id, _ in items], "kept": kept,
                "genome": np.array([g for g, _, _ in items]), "index": out["index"].numpy()}

    for g, (genome, todo) in enumerate(zip(genomes, todos)):
        if not len(todo):
            continue
        path = scratch / f"genome{g}.npy"
        codes = GenomeCodes.from_fasta(genome.fasta, path, todo["seq_chrom"].unique())
        dataset = WindowDataset(codes, todo, tracks=tracks_of(genome, todo))
        for i, window_id in enumerate(todo["window_id"]):
            rows.append((g, window_id, dataset[i]))
            if len(rows) == batch_size:
                yield batch(rows, batch_size)
                rows = []
        del codes, dataset
        path.unlink()
    if rows:
        yield batch(rows + rows[-1:] * (batch_size - len(rows)), len(rows))


def prefetched(iterable, depth=2):
    """``iterable``'s items, produced by a background thread up to ``depth`` items ahead of the caller.

    Input preparation (reading and encoding sequence, tracks) overlaps the model's compute, which
    releases the GIL in PyTorch's kernels. An exception in the thread is raised in the caller; the
    thread stops when the caller stops early. Items arrive in order: prefetching changes no output.
    """
    items, stop, end = queue.Queue(depth), threading.Event(), object()

    def offer(entry):  # False once the caller has stopped taking items
        while not stop.is_set():
            try:
                items.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in iterable:
                if not offer((item, None)):
                    return
            offer((end, None))
        except BaseException as err:  # handed to the caller, which raises it
            offer((end, err))

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while True:
            item, err = items.get()
            if err is not None:
                raise err
            if item is end:
                return
            yield item
    finally:
        stop.set()
        thread.join()


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

"""Training the structure VAE and the CrossDiT generator, and sampling ensembles for a Hi-C map.

In-memory arrays in, plain dicts out: a trained model is a *bundle*, a dict of configs, state dicts and
numbers (the checkpoint convention of :mod:`hicmodels.modelling.checkpoints`: ``torch.save``-able and
loadable with ``weights_only=True``):

==================== ===========================================================================
key                  meaning
==================== ===========================================================================
``vae_config``       :class:`~hicmodels.models.structure_diffusion.StructureVAE` keyword arguments
``vae_state``        its weights
``latent_scale``     multiplies the VAE's posterior means to unit variance (paper 4.2's latent scale)
``coordinate_scale`` mean bead norm of the training structures (undoes the per-structure scaling)
``generator_config`` :class:`~hicmodels.models.structure_diffusion.CrossDiT` keyword arguments
``generator_state``  its weights
``map_scale``        how the Hi-C condition is normalised (:func:`condition_maps`)
==================== ===========================================================================

Both models train with Adam in a plain loop (not Lightning: single-device models of a few hundred
thousand parameters on in-memory arrays; every random draw comes from generators seeded from
``seed``, so a run is byte-reproducible on one machine and thread count).
"""

import numpy as np
import torch

from ..errors import InputError
from ..modelling.checkpoints import load_plain, save_plain

from ..models.structure_diffusion import CrossDiT, StructureVAE, euler_integrate, flow_matching_loss, \
    guided_velocity, vae_loss
from .preprocess import centre_and_scale, from_tokens, random_rotations, rotate, to_tokens


def _tokens(coords, mask, beads_per_bin, rng=None):
    """Normalised (and, given ``rng``, randomly rotated) float32 tokens of (n, copies, beads, 3) structures."""
    coords, _ = centre_and_scale(coords, mask)
    if rng is not None:
        coords = rotate(coords, random_rotations(len(coords), rng))
    return torch.tensor(to_tokens(coords, mask, beads_per_bin), dtype=torch.float32)


def _batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[k:k + batch_size] for k in range(0, n, batch_size)]


def train_vae(coords, mask, settings, beads_per_bin, circular, seed):
    """Train the per-bin structure VAE (paper 3.2, 4.2) on (n, copies, beads, 3) structures.

    Parameters
    ----------
    coords : numpy.ndarray
        (structures, copies, beads, 3) coordinates.
    mask : numpy.ndarray
        (structures, copies, beads) replication masks (1: the bead exists).
    settings : dict
        The ``structure.vae`` config section: ``hidden``, ``latent_channels``, ``blocks``,
        ``kernel_size``, ``mask_weight``, ``kl_weight``, ``epochs``, ``batch_size``, ``learning_rate``.
    beads_per_bin : int
        Beads per Hi-C bin.
    circular : bool
        Circular chromosomes (circular convolution padding).
    seed : int
        Seeds weights, data order, rotations and the reparameterisation noise.

    Returns
    -------
    bundle : dict
        ``vae_config``, ``vae_state``, ``latent_scale``, ``coordinate_scale``.
    history : list of dict
        Per epoch, the mean loss terms.
    """
    config = {"copies": coords.shape[1], "beads_per_bin": beads_per_bin, "hidden": settings["hidden"],
              "latent_channels": settings["latent_channels"], "blocks": settings["blocks"],
              "kernel_size": settings["kernel_size"], "circular": circular}
    torch.manual_seed(seed)
    vae = StructureVAE(**config)
    optimiser = torch.optim.Adam(vae.parameters(), lr=settings["learning_rate"])
    rng, noise = np.random.default_rng(seed), torch.Generator().manual_seed(seed)
    history = []
    for _ in range(settings["epochs"]):
        tokens = _tokens(coords, mask, beads_per_bin, rng)  # a fresh rotation per structure and epoch
        totals = {}
        for batch in _batches(len(tokens), settings["batch_size"], rng):
            out = vae(tokens[batch], generator=noise)
            terms = vae_loss(tokens[batch], *out, settings["mask_weight"], settings["kl_weight"])
            optimiser.zero_grad()
            terms["loss"].backward()
            optimiser.step()
            for key, value in terms.items():
                totals[key] = totals.get(key, 0.0) + value.item() * len(batch) / len(tokens)
        history.append(totals)
    vae.eval()
    with torch.no_grad():
        mean, _ = vae.encode(_tokens(coords, mask, beads_per_bin))
    _, scale = centre_and_scale(coords, mask)
    bundle = {"vae_config": config, "vae_state": vae.state_dict(), "latent_scale": float(1.0 / mean.std()),
              "coordinate_scale": float(scale.mean())}
    return bundle, history


def condition_maps(maps):
    """Hi-C maps as the generator reads them: NaN (unmapped) as 0, each divided by the mean of its first
    off-diagonal, so contact frequencies and balanced experimental maps share a scale (our choice: the
    paper feeds its simulated contact matrices as they are).

    Parameters
    ----------
    maps : numpy.ndarray
        (n, bins, bins) maps.

    Returns
    -------
    torch.Tensor
        (n, bins, bins) float32.
    """
    maps = np.nan_to_num(np.asarray(maps, dtype=np.float64))
    neighbours = np.diagonal(maps, offset=1, axis1=1, axis2=2).mean(axis=1)
    if np.any(neighbours <= 0):
        raise ValueError("a map without contacts between neighbouring bins cannot condition the generator")
    return torch.tensor(maps / neighbours[:, None, None], dtype=torch.float32)


def train_generator(coords, mask, maps, map_index, bundle, preset, settings, seed):
    """Train the CrossDiT (paper 3.3, 4.2) on the VAE latents of structures paired with their ensemble's map.

    Parameters
    ----------
    coords, mask : numpy.ndarray
        As for :func:`train_vae`.
    maps : numpy.ndarray
        (ensembles, bins, bins) ensemble contact maps.
    map_index : numpy.ndarray
        (structures,) the ensemble (row of ``maps``) of each structure (paper 4.1's pairing).
    bundle : dict
        :func:`train_vae`'s bundle (its encoder gives the latents; each epoch re-rotates the structures).
    preset : dict
        A ``structure_presets`` entry: ``depth``, ``dim``, ``heads``, ``encoder_depth``, ``mlp_ratio``.
    settings : dict
        The ``structure.generator`` section: ``condition_dropout``, ``epochs``, ``batch_size``, ``learning_rate``.
    seed : int

    Returns
    -------
    bundle : dict
        The VAE bundle with ``generator_config`` and ``generator_state`` added.
    history : list of float
        Mean flow-matching loss per epoch.
    """
    vae = vae_from_bundle(bundle)
    config = {"bins": maps.shape[1], "latent_channels": bundle["vae_config"]["latent_channels"], **preset}
    torch.manual_seed(seed)
    model = CrossDiT(**config)
    optimiser = torch.optim.Adam(model.parameters(), lr=settings["learning_rate"])
    rng, noise = np.random.default_rng(seed), torch.Generator().manual_seed(seed)
    hic = condition_maps(maps)
    beads_per_bin = bundle["vae_config"]["beads_per_bin"]
    history = []
    for _ in range(settings["epochs"]):
        with torch.no_grad():
            latents = vae.encode(_tokens(coords, mask, beads_per_bin, rng))[0] * bundle["latent_scale"]
        total = 0.0
        for batch in _batches(len(latents), settings["batch_size"], rng):
            loss = flow_matching_loss(model, latents[batch], hic[map_index[batch]], settings["condition_dropout"], noise)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch) / len(latents)
        history.append(total)
    return {**bundle, "generator_config": config, "generator_state": model.state_dict()}, history


BUNDLE_KEYS = ("vae_config", "vae_state", "latent_scale", "coordinate_scale", "generator_config", "generator_state")


def save_bundle(bundle, path):
    """Write a trained bundle atomically and byte-reproducibly (:func:`hicmodels.modelling.checkpoints.save_plain`)."""
    save_plain(bundle, path)


def load_bundle(path):
    """A bundle written by :func:`save_bundle`, loaded without unpickling code.

    Raises
    ------
    InputError
        Naming ``path``: missing, not weights only, truncated or corrupt
        (:func:`hicmodels.modelling.checkpoints.load_plain`), or without a bundle's keys.
    """
    bundle = load_plain(path, what="structure model")
    missing = [key for key in BUNDLE_KEYS if key not in bundle]
    if missing:
        raise InputError(f"not a structure model: missing {', '.join(missing)}", path)
    return bundle


def vae_from_bundle(bundle):
    """The trained VAE of a bundle, in evaluation mode."""
    vae = StructureVAE(**bundle["vae_config"])
    vae.load_state_dict(bundle["vae_state"])
    return vae.eval()


def sample_ensemble(bundle, hic_map, n, seed, guidance, steps, batch_size=64):
    """Sample ``n`` structures for one Hi-C map (paper 4.3): Euler steps of the guided flow, VAE decoding.

    Parameters
    ----------
    bundle : dict
        A trained bundle (:func:`train_generator`).
    hic_map : numpy.ndarray
        (bins, bins) map.
    n : int
        Structures.
    seed : int
        Seeds the initial noise; all of it is drawn first, so another ``batch_size`` gives the same
        structures up to float rounding (byte-identical for the same seed, batch size and threads).
    guidance : float
        Classifier-free guidance scale (1: conditional only, the paper's; 0: unconditional).
    steps : int
        Euler steps (the paper: 50).
    batch_size : int
        Structures integrated at once (memory only).

    Returns
    -------
    numpy.ndarray
        (n, copies * beads, 3) coordinates in the training structures' unit (normalised structures
        times ``coordinate_scale``), copy after copy; beads the decoder calls absent are NaN.
    """
    xyz, present = _decoded(bundle, hic_map, n, seed, guidance, steps, batch_size)
    return np.where(present[..., None], xyz, np.nan).reshape(n, -1, 3)


def _decoded(bundle, hic_map, n, seed, guidance, steps, batch_size):
    """(n, copies, beads, 3) decoded coordinates of :func:`sample_ensemble` and (n, copies, beads) the
    decoder's presence calls (mask logit above 0)."""
    vae = vae_from_bundle(bundle)
    model = CrossDiT(**bundle["generator_config"])
    model.load_state_dict(bundle["generator_state"])
    model.eval()
    bins, channels = bundle["generator_config"]["bins"], bundle["generator_config"]["latent_channels"]
    noise = torch.randn((n, bins, channels), generator=torch.Generator().manual_seed(seed))
    hic = condition_maps(np.asarray(hic_map)[None])
    config = bundle["vae_config"]
    coordinates, presence = [], []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            x0 = noise[start:start + batch_size]
            velocity = guided_velocity(model, hic.expand(len(x0), -1, -1), guidance)
            coords, mask_logits = vae.decode(euler_integrate(velocity, x0, steps) / bundle["latent_scale"])
            tokens = torch.cat([coords.reshape(*coords.shape[:2], -1, 3), (mask_logits > 0).float()[..., None]], -1)
            xyz, present = from_tokens(tokens.flatten(-2).numpy().astype(np.float64), config["copies"],
                                       config["beads_per_bin"])
            coordinates.append(xyz * bundle["coordinate_scale"])
            presence.append(present > 0)
    return np.concatenate(coordinates), np.concatenate(presence)


def generated_ensemble(bundle, hic_map, bins, n, seed, guidance, steps, source_map, circular):
    """Sample an ensemble for ``hic_map`` (:func:`sample_ensemble`) as :func:`~hicmodels.structure.io.write_ensemble`'s
    keyword arguments, its contact map made as the training ensembles' were (paper 4.1).

    The decoder calls each bead present or absent per structure, while an ensemble file has one
    replication mask per copy. Parental beads exist in every training structure (paper 4.1: the
    parental mask is all ones), so they are all kept, whatever the decoder calls them. A daughter bead
    is in the mask where at least half the structures have it; in a structure without it, it sits on
    its parental bead (unreplicated there), and beads outside the mask are zeros as in simulated files.

    Parameters
    ----------
    bundle : dict
        A trained bundle with ``contact_distance`` and ``units`` of its training ensembles.
    hic_map : numpy.ndarray
        (bins, bins) the condition, stored as the ensemble's input map.
    bins : pandas.DataFrame
        The map's bins.
    n, seed, guidance, steps
        As for :func:`sample_ensemble`.
    source_map : str
        The map's URI and region, stored in the file.
    circular : bool
        The region's topology (P(s) by circular separation).
    """
    from .ensemble import bin_contact_map

    copies, per_bin = bundle["vae_config"]["copies"], bundle["vae_config"]["beads_per_bin"]
    xyz, present = _decoded(bundle, hic_map, n, seed, guidance, steps, batch_size=64)
    parental = xyz[:, 0]
    daughter, present = (xyz[:, 1], present[:, 1]) if copies > 1 else (parental, np.zeros_like(present[:, 0]))
    masks = np.stack([np.ones(len(present[0]), bool), present.mean(axis=0) >= 0.5]).astype(np.uint8)
    daughter = np.where(masks[1][None, :, None] > 0, np.where(present[..., None], daughter, parental), 0.0)
    return {"coordinates": parental, "daughter": daughter, "masks": masks,
            "contacts": bin_contact_map(parental, bundle["contact_distance"], per_bin), "bins": bins,
            "units": bundle["units"], "seed": seed, "source_map": source_map, "circular": circular,
            "beads_per_bin": per_bin, "contact_distance": bundle["contact_distance"], "input_contacts": hic_map}

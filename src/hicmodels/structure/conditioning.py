"""Does the generator read the map? Crosslinked polymer ensembles on OpenMM whose maps differ by design.

The workflow's training ensembles restrain their start with one region's map and release the
restraints before sampling (paper 3.1), so their maps differ little: a generator trained on them
cannot show that it follows its condition (docs/benchmarks.md, "Structure workflow"). Here each
training ensemble is the same polymer (:func:`hicmodels.structure.polymer.simulate`) with a
crosslink between one pair of bins kept on while sampling (a stable loop, the MD counterpart of
:mod:`hicmodels.simulation.gaussian_chain`'s crosslinked chains), so every ensemble's map has its
own loop. Held-out ensembles carry crosslinks at bin pairs no training ensemble had. The
generated ensemble's SCC with its held-out input map is set against (a) the same model with the
map dropped (guidance 0, the CFG null condition), (b) the training map that best matches the
input map (what a generator that memorised its training maps could reach at most) and (c) the
polymer without any crosslink (a confined random-walk polymer of the same length).

Deviation from the paper: its restraints are released before sampling (3.1); keeping them on is
what makes the maps differ here, with no other change to the polymer.
"""

import time

import numpy as np
import pandas as pd

from .dataset import simulation_arguments, training_arrays, unrestrained_bins
from .ensemble import bin_contact_map, map_scc
from .polymer import simulate
from .training import generated_ensemble, train_generator, train_vae


def crosslink_pairs(n_bins, min_separation):
    """Every bin pair ``(i, j)`` with ``j - i >= min_separation``, in row order (list of tuples)."""
    return [(i, j) for i in range(n_bins) for j in range(i + min_separation, n_bins)]


def split_pairs(pairs, held_out, seed):
    """``held_out`` pairs drawn at random (seeded) for testing, and the rest for training, both in order."""
    chosen = set(np.random.default_rng(seed).choice(len(pairs), size=held_out, replace=False).tolist())
    return ([p for k, p in enumerate(pairs) if k not in chosen], [p for k, p in enumerate(pairs) if k in chosen])


def crosslinked_ensemble(settings, bins, crosslinks, seed):
    """Simulate one linear-chain ensemble with ``crosslinks`` kept while sampling; the ensemble file's arguments.

    Parameters
    ----------
    settings : dict
        ``structure.simulation`` (resolved): chain, forces, steps and ``contact_distance_nm``;
        ``restraints.strength_kT`` is the crosslinks' stiffness; release and ``seed`` are not used.
    bins : pandas.DataFrame
        ``chrom``, ``start``, ``end`` of the simulated bins.
    crosslinks : list of tuple
        Bin pairs, each bonded between its centre beads; empty for the plain polymer.
    seed : int

    Returns
    -------
    dict
        As :func:`hicmodels.structure.dataset.training_ensemble` (``input_contacts`` None).
    """
    arguments = simulation_arguments(settings, 0, False, len(bins), None)
    arguments.update(seed=seed, release_stages=0, restraint_bins=np.asarray(crosslinks, dtype=np.int64).reshape(-1, 2),
                     replication_factor=1.0)
    run = simulate(**arguments)
    kept = settings["kept_beads_per_bin"]
    return {
        "coordinates": run["parental"], "daughter": run["daughter"], "masks": run["masks"],
        "contacts": bin_contact_map(run["parental"], settings["contact_distance_nm"], kept),
        "bins": bins.reset_index(drop=True), "units": "nm", "seed": seed,
        "source_map": "crosslinks " + " ".join(f"{i}-{j}" for i, j in crosslinks) if crosslinks else "no crosslink",
        "circular": False,
        "beads_per_bin": kept, "contact_distance": settings["contact_distance_nm"], "input_contacts": None,
    }


def conditioning_scores(bundle, held_out, training_maps, plain_map, structures, seed, steps, scc_h, scc_max_offset):
    """SCC with each held-out ensemble's map of the generated ensembles and of the baselines.

    Parameters
    ----------
    bundle : dict
        A trained bundle with ``contact_distance`` and ``units``.
    held_out : list of dict
        Held-out simulated ensembles (:func:`crosslinked_ensemble`); each one's map is the condition.
    training_maps : numpy.ndarray
        (ensembles, bins, bins) the maps the generator was trained on.
    plain_map : numpy.ndarray
        (bins, bins) the map of the polymer without crosslinks.
    structures : int
        Structures generated per map.
    seed, steps
        As for :func:`hicmodels.structure.training.sample_ensemble`; held-out ensemble ``k`` uses
        ``seed + k`` with and without the map, so both start from the same noise.
    scc_h, scc_max_offset
        HiCRep smoothing and last diagonal (:func:`hicmodels.structure.ensemble.map_scc`).

    Returns
    -------
    pandas.DataFrame
        One row per held-out ensemble: ``ensemble`` (its ``source_map``), ``conditional`` (guidance 1),
        ``unconditional`` (guidance 0), ``best_training_map`` (the highest SCC of any training map),
        ``best_training_index``, ``plain_polymer``.
    """
    rows = []
    for k, ensemble in enumerate(held_out):
        target = ensemble["contacts"]

        def scc(contacts):
            return map_scc(contacts, target, scc_h, scc_max_offset)

        generated = {guidance: generated_ensemble(bundle, target, ensemble["bins"], structures, seed + k, guidance,
                                                  steps, ensemble["source_map"], False)["contacts"]
                     for guidance in (1.0, 0.0)}
        training = np.array([scc(m) for m in training_maps])
        rows.append({"ensemble": ensemble["source_map"], "conditional": scc(generated[1.0]),
                     "unconditional": scc(generated[0.0]), "best_training_map": float(np.nanmax(training)),
                     "best_training_index": int(np.nanargmax(training)), "plain_polymer": scc(plain_map)})
    return pd.DataFrame(rows)


def crosslink_experiment(settings, vae, generator, preset, *, min_separation, held_out, repeats, seed,
                         sampled, steps, scc_h, scc_max_offset, held_out_structures=None, progress=print):
    """Simulate, train on, and score the held-out crosslinks: the whole experiment of this module.

    Parameters
    ----------
    settings : dict
        ``structure.simulation`` (resolved); ``bins`` of ``bin_size`` are simulated, ``structures``
        per ensemble.
    vae, generator : dict
        ``structure.vae`` and ``structure.generator`` sections (training settings).
    preset : dict
        A ``structure_presets`` entry.
    min_separation : int
        Least bin separation of a crosslink.
    held_out : int
        Crosslinked pairs held out of training (one test ensemble each).
    repeats : int
        Training ensembles per training pair (independent simulations).
    seed : int
        Seeds the split, the simulations (ensemble ``k`` ``seed + k``), training and sampling.
    sampled : int
        Structures generated per held-out map.
    steps, scc_h, scc_max_offset
        Euler steps; SCC settings.
    held_out_structures : int or None
        Structures of each held-out ensemble and of the plain polymer (None: ``structures``); more make
        the held-out maps, the conditions and targets, less noisy.
    progress : callable
        Called with a line per finished step (what took how long).

    Returns
    -------
    pandas.DataFrame
        :func:`conditioning_scores`' table.
    dict
        ``bundle`` (the trained model), ``held_out`` ensembles, ``training_maps``, ``plain`` ensemble.
    """
    bins = unrestrained_bins(settings)
    training_pairs, test_pairs = split_pairs(crosslink_pairs(len(bins), min_separation), held_out, seed)
    clock = time.process_time()
    layout = [[pair] for pair in training_pairs for _ in range(repeats)] + [[pair] for pair in test_pairs] + [[]]
    testing = {**settings, "structures": held_out_structures or settings["structures"]}
    ensembles = [crosslinked_ensemble(settings if k < len(training_pairs) * repeats else testing, bins, crosslinks,
                                      seed + k) for k, crosslinks in enumerate(layout)]
    training, tests, plain = ensembles[:-len(test_pairs) - 1], ensembles[-len(test_pairs) - 1:-1], ensembles[-1]
    progress(f"simulated {len(training)} training ensembles x {settings['structures']} structures, "
             f"{len(tests) + 1} x {testing['structures']}: "
             f"{time.process_time() - clock:.1f} CPU s")
    coords, mask, maps, map_index = training_arrays(training)
    clock = time.process_time()
    bundle, _ = train_vae(coords, mask, vae, settings["kept_beads_per_bin"], False, seed)
    progress(f"VAE: {len(coords)} structures, {vae['epochs']} epochs: {time.process_time() - clock:.1f} CPU s")
    clock = time.process_time()
    bundle, _ = train_generator(coords, mask, maps, map_index, bundle, preset, generator, seed)
    bundle.update({"contact_distance": float(settings["contact_distance_nm"]), "units": "nm"})
    progress(f"generator: {generator['epochs']} epochs: {time.process_time() - clock:.1f} CPU s")
    clock = time.process_time()
    table = conditioning_scores(bundle, tests, maps, plain["contacts"], sampled, seed, steps, scc_h, scc_max_offset)
    progress(f"scored {len(tests)} held-out maps: {time.process_time() - clock:.1f} CPU s")
    return table, {"bundle": bundle, "held_out": tests, "training_maps": maps, "plain": plain}

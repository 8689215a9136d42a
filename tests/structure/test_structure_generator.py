"""Known truth: a generator trained on Gaussian chains with one crosslink reproduces the contact maps of
crosslinks it never saw, better than the same model without the map and than a plain chain."""

import numpy as np
import pytest
import torch

from hicmodels.config import config_schema
from hicmodels.evaluation.metrics import scc_hicrep
from hicmodels.simulation.gaussian_chain import ensemble_pairs, expected_contacts, kirchhoff, sample_structures
from hicmodels.structure.ensemble import contact_frequency, mean_pairwise_drmsd
from hicmodels.structure.preprocess import centre_and_scale, from_tokens, to_tokens
from hicmodels.structure.training import (
    sample_ensemble,
    train_generator,
    train_vae,
    vae_from_bundle,
)

BINS, THRESHOLD, STIFFNESS, SEPARATION = 16, 2.0, 8.0, 4
ENSEMBLES, PER_ENSEMBLE, SAMPLED = 240, 16, 200
VAE = dict(hidden=32, latent_channels=4, blocks=2, kernel_size=3, mask_weight=1.0, kl_weight=5e-3, epochs=8,
           batch_size=64, learning_rate=2e-3)
GENERATOR = dict(condition_dropout=0.1, epochs=40, batch_size=64, learning_rate=2e-3)


def band(matrix):
    """A dense map as the (bins, offsets) band of hicmodels.evaluation.metrics."""
    out = np.full((len(matrix), len(matrix)), np.nan)
    for k in range(len(matrix)):
        out[: len(matrix) - k, k] = np.diagonal(matrix, k)
    return out


def agreement(ensemble_map, input_map):
    """HiCRep SCC (h = 1 on a 16-bin map, offsets 1..14) and Pearson r of the pixels off the first diagonal."""
    upper = np.triu_indices(BINS, 2)
    return (scc_hicrep(band(ensemble_map), band(input_map), h=1, max_offset=BINS - 2),
            np.corrcoef(ensemble_map[upper], input_map[upper])[0, 1])


@pytest.fixture(scope="module")
def experiment():
    torch.set_num_threads(1)
    structures, maps, loops = ensemble_pairs(ENSEMBLES, PER_ENSEMBLE, BINS, 1, THRESHOLD, seed=0,
                                             loop_stiffness=STIFFNESS, min_separation=SEPARATION, exact_maps=True)
    coords = structures.reshape(-1, 1, BINS, 3)
    mask = np.ones(coords.shape[:3])
    bundle, _ = train_vae(coords, mask, VAE, beads_per_bin=1, circular=False, seed=0)
    tiny = config_schema()["properties"]["structure_presets"]["default"]["tiny"]
    bundle, _ = train_generator(coords, mask, maps, np.repeat(np.arange(ENSEMBLES), PER_ENSEMBLE), bundle, tiny,
                                GENERATOR, seed=0)
    seen = {pair for pairs in loops for pair in pairs}
    unseen = [(i, j) for i in range(BINS) for j in range(i + SEPARATION, BINS) if (i, j) not in seen]
    assert len(unseen) >= 3  # 240 draws of 1 of 78 pairs leave a few (3 with these seeds)
    return bundle, unseen[:4]


@pytest.mark.slow
def test_the_vae_reconstructs_structures_it_never_saw(experiment):
    bundle, _ = experiment
    vae = vae_from_bundle(bundle)
    coords = sample_structures(kirchhoff(BINS, [(2, 11)], False, STIFFNESS), 50, np.random.default_rng(9))[:, None]
    mask = np.ones(coords.shape[:3])
    normalised, _ = centre_and_scale(coords, mask)
    with torch.no_grad():
        mean, _ = vae.encode(torch.tensor(to_tokens(normalised, mask, 1), dtype=torch.float32))
        xyz, logits = vae.decode(mean)
    tokens = torch.cat([xyz.reshape(50, BINS, 1, 3), (logits > 0).float()[..., None]], -1).flatten(-2)
    decoded, present = from_tokens(tokens.numpy().astype(float), 1, 1)
    assert present.all()
    # Beads sit at mean norm 1; the decoded ones are off by a small fraction of that.
    assert np.sqrt(((decoded - normalised) ** 2).sum(-1).mean()) < 0.15


@pytest.mark.slow
def test_generated_ensembles_follow_maps_of_unseen_crosslinks(experiment):
    """Baselines: (1) the same generator with the map dropped (guidance 0): what it learnt of chains in
    general, without the map; (2) a plain random-walk chain of the same length, the polymer without any
    crosslink. The margin: mean SCC and Pearson over the held-out maps above both by 0.2 or more."""
    bundle, held_out = experiment
    plain = contact_frequency(sample_structures(kirchhoff(BINS), SAMPLED, np.random.default_rng(3)), THRESHOLD)
    scores = {"conditional": [], "unconditional": [], "random walk": []}
    for loop in held_out:
        input_map = expected_contacts(kirchhoff(BINS, [loop], False, STIFFNESS), THRESHOLD)
        generated = sample_ensemble(bundle, input_map, SAMPLED, seed=1, guidance=1.0, steps=50, batch_size=SAMPLED)
        unconditional = sample_ensemble(bundle, input_map, SAMPLED, seed=1, guidance=0.0, steps=50, batch_size=SAMPLED)
        assert np.isfinite(generated).all()
        scores["conditional"].append(agreement(contact_frequency(generated, THRESHOLD), input_map))
        scores["unconditional"].append(agreement(contact_frequency(unconditional, THRESHOLD), input_map))
        scores["random walk"].append(agreement(plain, input_map))
    mean = {name: np.mean(values, axis=0) for name, values in scores.items()}
    print(held_out, {name: np.round(values, 3).tolist() for name, values in scores.items()})
    for metric in (0, 1):  # SCC, Pearson
        assert mean["conditional"][metric] > max(mean["unconditional"][metric], mean["random walk"][metric]) + 0.2


@pytest.mark.slow
def test_generated_ensembles_are_diverse(experiment):
    """Mean pairwise dRMSD (paper 5) far above the paper's perturbation baseline: one generated structure
    with isotropic noise of 0.2 bond lengths per bead (the paper's baseline: 0.072 at bond length 0.362)."""
    bundle, held_out = experiment
    input_map = expected_contacts(kirchhoff(BINS, [held_out[0]], False, STIFFNESS), THRESHOLD)
    generated = sample_ensemble(bundle, input_map, 50, seed=2, guidance=1.0, steps=50)
    bond = np.linalg.norm(np.diff(generated, axis=1), axis=-1).mean()
    perturbed = generated[0] + np.random.default_rng(4).normal(scale=0.2 * bond / np.sqrt(3), size=(50, BINS, 3))
    diversity, baseline = mean_pairwise_drmsd(generated), mean_pairwise_drmsd(perturbed)
    truth = sample_structures(kirchhoff(BINS, [held_out[0]], False, STIFFNESS), 50, np.random.default_rng(6))
    print(f"dRMSD {diversity:.3f}, perturbation baseline {baseline:.3f}, exact ensemble "
          f"{mean_pairwise_drmsd(truth):.3f}, bond {bond:.3f}")
    assert diversity > 3 * baseline
    # And of the order of the exact ensemble's own diversity.
    assert 0.5 < diversity / mean_pairwise_drmsd(truth) < 1.5

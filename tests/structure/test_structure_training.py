import numpy as np
import pytest
import torch

from hicmodels.errors import InputError
from hicmodels.simulation.gaussian_chain import ensemble_pairs
from hicmodels.structure.training import (
    condition_maps,
    load_bundle,
    sample_ensemble,
    save_bundle,
    train_generator,
    train_vae,
)

VAE = dict(hidden=8, latent_channels=2, blocks=1, kernel_size=3, mask_weight=1.0, kl_weight=5e-3, epochs=2,
           batch_size=8, learning_rate=1e-3)
TINY = dict(depth=1, dim=8, heads=2, encoder_depth=1, mlp_ratio=2.0)
GENERATOR = dict(condition_dropout=0.2, epochs=2, batch_size=8, learning_rate=1e-3)


def test_condition_maps_scale_by_the_first_off_diagonal():
    m = np.array([[1.0, 0.5, 0.1], [0.5, 1.0, np.nan], [0.1, np.nan, 1.0]])
    out = condition_maps(m[None])
    assert out.dtype == torch.float32
    # Mean of the first off-diagonal with NaN as 0: (0.5 + 0) / 2.
    assert np.allclose(out[0].numpy(), np.nan_to_num(m) / 0.25)
    with pytest.raises(ValueError, match="neighbouring bins"):
        condition_maps(np.eye(3)[None])


@pytest.fixture(scope="module")
def trained():
    structures, maps, _ = ensemble_pairs(4, 6, 8, 1, threshold=2.0, seed=0, loop_stiffness=4.0, exact_maps=True)
    coords = structures.reshape(-1, 1, 8, 3)
    mask = np.ones(coords.shape[:3])
    vae, history = train_vae(coords, mask, VAE, beads_per_bin=1, circular=False, seed=3)
    bundle, losses = train_generator(coords, mask, maps, np.repeat(np.arange(4), 6), vae, TINY, GENERATOR, seed=3)
    return coords, mask, maps, vae, history, bundle, losses


def test_training_is_deterministic_given_the_seed(trained):
    coords, mask, maps, vae, history, bundle, losses = trained
    assert len(history) == 2 and len(losses) == 2
    again, _ = train_vae(coords, mask, VAE, beads_per_bin=1, circular=False, seed=3)
    for key, value in vae["vae_state"].items():
        assert torch.equal(value, again["vae_state"][key])
    assert again["latent_scale"] == vae["latent_scale"]
    other, _ = train_vae(coords, mask, VAE, beads_per_bin=1, circular=False, seed=4)
    assert not torch.equal(other["vae_state"]["encoder.0.weight"], vae["vae_state"]["encoder.0.weight"])
    regenerated, _ = train_generator(coords, mask, maps, np.repeat(np.arange(4), 6), vae, TINY, GENERATOR, seed=3)
    for key, value in bundle["generator_state"].items():
        assert torch.equal(value, regenerated["generator_state"][key])
    # The coordinate scale is the training structures' mean bead norm about their centre.
    centred = coords - coords.mean(axis=2, keepdims=True)
    assert vae["coordinate_scale"] == pytest.approx(np.linalg.norm(centred, axis=-1).mean())


def test_sampling_is_byte_identical_given_a_seed_and_draws_noise_before_batching(trained):
    *_, maps, _, _, bundle, _ = trained
    a = sample_ensemble(bundle, maps[0], n=5, seed=11, guidance=1.0, steps=4)
    assert a.shape == (5, 8, 3)  # beads the (barely trained) decoder calls absent are NaN
    assert a.tobytes() == sample_ensemble(bundle, maps[0], n=5, seed=11, guidance=1.0, steps=4).tobytes()
    # Another batch size draws the same noise; only float rounding of other matrix shapes differs.
    b = sample_ensemble(bundle, maps[0], n=5, seed=11, guidance=1.0, steps=4, batch_size=2)
    assert np.allclose(a, b, atol=1e-4, equal_nan=True)
    for changed in (dict(seed=12, guidance=1.0), dict(seed=11, guidance=0.0)):
        assert not np.array_equal(a, sample_ensemble(bundle, maps[0], n=5, steps=4, **changed), equal_nan=True)


def test_bundles_round_trip_byte_identically_and_bad_files_are_named(trained, tmp_path):
    *_, bundle, _ = trained
    save_bundle(bundle, tmp_path / "a.pt")
    save_bundle(load_bundle(tmp_path / "a.pt"), tmp_path / "b.pt")
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()
    loaded = load_bundle(tmp_path / "a.pt")
    assert loaded["latent_scale"] == bundle["latent_scale"] and loaded["generator_config"] == bundle["generator_config"]
    (tmp_path / "cut.pt").write_bytes((tmp_path / "a.pt").read_bytes()[:500])
    with pytest.raises(InputError, match="cut.pt.*truncated or corrupt"):
        load_bundle(tmp_path / "cut.pt")
    save_bundle({"vae_config": {}}, tmp_path / "vae_only.pt")
    with pytest.raises(InputError, match="vae_only.pt.*missing vae_state"):
        load_bundle(tmp_path / "vae_only.pt")

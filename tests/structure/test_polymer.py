import numpy as np
import pytest

from hicmodels.structure import polymer
from hicmodels.structure.ensemble import contact_frequency

BOND = 30.0


def settings(**overrides):
    """A 200-bead circular chain in a box at the paper's E. coli aspect ratio (900 x 900 x 2000 nm)."""
    base = dict(n_bins=20, beads_per_bin=10, kept_beads_per_bin=2, circular=True, replication_factor=1.0,
                bond_length_nm=BOND, bond_wiggle=0.1, repulsion_kT=3.0,
                confinement={"shape": "box", "size_nm": [150.0, 150.0, 333.0]}, wall_stiffness_kT=100.0,
                temperature_k=300.0, bead_mass_amu=100.0, friction_per_ps=0.01, timestep_ps=5.0,
                equilibration_steps=1000, release_stages=2, release_steps=100, n_structures=30, sample_every=200,
                seed=3, threads=1)
    base.update(overrides)
    return base


@pytest.fixture(scope="module")
def circular_run():
    return polymer.simulate(**settings(), keep_all_beads=True)


def test_bonds_stay_near_their_rest_length(circular_run):
    coords = circular_run["parental"]
    lengths = np.linalg.norm(np.diff(coords, axis=1), axis=-1)
    # harmonic bonds of stiffness kT / (0.1 b)^2: mean b, spread about 0.1 b
    assert lengths.mean() == pytest.approx(BOND, rel=0.03)
    assert 0.05 * BOND < lengths.std() < 0.15 * BOND
    assert np.all(np.abs(lengths - BOND) < 0.6 * BOND)


def test_a_circular_chain_bonds_its_last_bead_to_its_first(circular_run):
    coords = circular_run["parental"]
    closing = np.linalg.norm(coords[:, -1] - coords[:, 0], axis=-1)
    assert closing.mean() == pytest.approx(BOND, rel=0.05)
    linear = polymer.simulate(**settings(circular=False), keep_all_beads=True)["parental"]
    assert np.linalg.norm(linear[:, -1] - linear[:, 0], axis=-1).mean() > 3 * BOND
    assert [199, 0] in polymer.chain_topology(200, True, 1.0).bonds.tolist()
    assert [199, 0] not in polymer.chain_topology(200, False, 1.0).bonds.tolist()


def test_no_bead_leaves_the_box(circular_run):
    box = {"shape": "box", "size_nm": [150.0, 150.0, 333.0]}
    assert polymer.inside(circular_run["parental"], box).all()
    # the same chain in a box half as wide is squeezed: x and y within +-37.5
    narrow = {"shape": "box", "size_nm": [75.0, 75.0, 600.0]}
    coords = polymer.simulate(**settings(confinement=narrow, n_structures=5), keep_all_beads=True)["parental"]
    assert polymer.inside(coords, narrow).all()
    assert np.abs(coords[..., :2]).max() > 20.0  # it does fill the box, not just sit in the middle


def test_no_bead_leaves_the_cylinder():
    cylinder = {"shape": "cylinder", "radius_nm": 45.0, "length_nm": 400.0}
    coords = polymer.simulate(**settings(confinement=cylinder, n_structures=10), keep_all_beads=True)["parental"]
    assert polymer.inside(coords, cylinder).all()
    # a box of the cylinder's bounding size would allow the corners; the cylinder does not
    assert np.hypot(coords[..., 0], coords[..., 1]).max() <= 45.0
    assert polymer.inside(np.array([[40.0, 40.0, 0.0]]), cylinder).tolist() == [False]


def test_contact_probability_decays_with_separation(circular_run):
    contacts = contact_frequency(circular_run["parental"], 1.5 * BOND)
    n = contacts.shape[0]
    p = [np.mean([contacts[i, (i + s) % n] for i in range(n)]) for s in (1, 2, 4, 8, 16)]
    assert p[0] == 1.0  # bonded neighbours within 1.5 b
    assert all(a > b for a, b in zip(p, p[1:]))


def test_two_runs_with_one_seed_give_identical_coordinates():
    first = polymer.simulate(**settings(n_structures=3, equilibration_steps=200))
    second = polymer.simulate(**settings(n_structures=3, equilibration_steps=200))
    assert first["parental"].tobytes() == second["parental"].tobytes()
    # seed 0 too (OpenMM's own seed 0 means a random one)
    zero = [polymer.simulate(**settings(n_structures=2, equilibration_steps=100, seed=0))["parental"] for _ in "ab"]
    assert zero[0].tobytes() == zero[1].tobytes()
    other = polymer.simulate(**settings(n_structures=3, equilibration_steps=200, seed=4))
    assert not np.array_equal(first["parental"], other["parental"])


def test_restraints_pull_restrained_pairs_closer():
    # a map whose only strong distant contacts join bins 2-12 and 5-15 (separation 10)
    n_bins = 20
    contacts = np.eye(n_bins) + 0.01
    contacts[2, 12] = contacts[12, 2] = contacts[5, 15] = contacts[15, 5] = 1.0
    top = 2.5 / (n_bins * (n_bins - 1) / 2 - n_bins)  # two of the 170 pairs at least 2 bins apart (circular)
    restrained = polymer.restraint_pairs(contacts, 10, top, 2, circular=True)
    assert sorted(restrained.tolist()) == [[25, 125], [55, 155]]
    # release_stages=0: the restraints stay on while sampling
    run = polymer.simulate(**settings(release_stages=0, n_structures=20, sample_every=100, contacts=contacts,
                                      restraint_top_fraction=top, restraint_min_separation_bins=2,
                                      restraint_kT=20.0), keep_all_beads=True)
    coords = run["parental"]
    distance = lambda i, j: np.linalg.norm(coords[:, i] - coords[:, j], axis=-1).mean()  # noqa: E731
    pulled = np.mean([distance(i, j) for i, j in restrained])
    free = np.mean([distance(i, i + 100) for i in (5, 15, 35, 45, 65, 75, 85, 95)])  # same 100-bead separation
    assert pulled < 1.5 * BOND < free


def test_restraints_are_released_before_sampling():
    n_bins = 20
    contacts = np.eye(n_bins) + 0.01
    contacts[2, 12] = contacts[12, 2] = 1.0
    run = polymer.simulate(**settings(contacts=contacts, restraint_top_fraction=0.01, restraint_min_separation_bins=2,
                                      restraint_kT=20.0, release_steps=500, sample_every=500, n_structures=6),
                           keep_all_beads=True)
    assert run["restraints"].tolist() == [[25, 125]]
    # released: the pair drifts apart to the free chain's typical distance
    assert np.linalg.norm(run["parental"][:, 25] - run["parental"][:, 125], axis=-1).mean() > 2 * BOND


def test_down_sampling_keeps_the_centre_bead_of_each_group():
    # paper 3.1: 10 beads per bin simulated, 2 kept (down-sampling by 5)
    assert polymer.kept_bead_indices(2, 10, 2).tolist() == [2, 7, 12, 17]
    assert polymer.kept_bead_indices(1, 4, 1).tolist() == [2]
    with pytest.raises(ValueError, match="multiple"):
        polymer.kept_bead_indices(1, 10, 3)
    run = polymer.simulate(**settings(n_structures=2, equilibration_steps=100))
    assert run["parental"].shape == (2, 40, 3)


def test_replication_adds_a_daughter_segment_bonded_at_the_forks():
    topology = polymer.chain_topology(10, True, 1.4)
    # 4 beads copied, centred on the origin (bead 0) of the ring: 8, 9, 0, 1
    assert topology.replicated.tolist() == [8, 9, 0, 1]
    assert topology.n_beads == 14
    bonds = set(map(tuple, topology.bonds.tolist()))
    assert {(10, 11), (11, 12), (12, 13)} <= bonds  # the daughter chain
    assert {(7, 10), (2, 13)} <= bonds  # forks: the beads flanking the copied segment
    assert len(bonds) == 10 + 3 + 2
    linear = polymer.chain_topology(10, False, 1.3)
    assert linear.replicated.tolist() == [0, 1, 2]
    assert {(3, 12)} <= set(map(tuple, linear.bonds.tolist())) and len(linear.bonds) == 9 + 2 + 1
    with pytest.raises(ValueError, match=r"\[1, 2\]"):
        polymer.chain_topology(10, True, 2.5)


def test_replicated_run_returns_daughter_coordinates_and_masks():
    run = polymer.simulate(**settings(replication_factor=1.5, n_structures=4))
    masks = run["masks"]
    assert masks.shape == (2, 40) and masks[0].all()
    # the 100 copied beads centred on bead 0 cover bins 15-19 and 0-4: kept beads 30-39 and 0-9
    assert np.flatnonzero(masks[1]).tolist() == list(range(10)) + list(range(30, 40))
    daughter = run["daughter"]
    assert np.all(daughter[:, masks[1] == 0] == 0)
    assert np.all(np.linalg.norm(daughter[:, masks[1] == 1], axis=-1) > 0)
    # the daughter copy is a chain of its own: it moves apart from its parental beads
    assert np.linalg.norm(daughter[:, 5] - run["parental"][:, 5], axis=-1).mean() > BOND


EXTRUSION = {"separation_beads": 25, "lifetime_moves": 50, "capture": 0.9, "steps_per_move": 50, "barriers": []}


def test_extruders_hold_their_legs_together_and_move_along_the_chain():
    run = polymer.simulate(**settings(n_structures=10, circular=False, extrusion=EXTRUSION), keep_all_beads=True)
    legs, coords = run["extruders"], run["parental"]
    assert legs.shape == (10, 8, 2)  # 200 beads / 25 per extruder
    assert np.all(legs[..., 1] > legs[..., 0])
    span = legs[..., 1] - legs[..., 0]
    assert span.max() > 10  # loops grow beyond neighbouring beads
    assert not np.array_equal(legs[0], legs[-1])  # and move between structures
    # a leg pair is bonded: at the rest length, while beads as far apart along the chain are not
    s, e = np.nonzero(span > 10)
    held = np.linalg.norm(coords[s, legs[s, e, 0]] - coords[s, legs[s, e, 1]], axis=-1)
    free = contact_frequency(coords, 1.5 * BOND)
    assert held.mean() == pytest.approx(BOND, rel=0.15)
    n = coords.shape[1]
    offsets = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    assert free[(offsets > 10) & (offsets < 40)].mean() < 0.3
    with_extrusion = polymer.simulate(**settings(n_structures=10, circular=False, extrusion=EXTRUSION))["parental"]
    again = polymer.simulate(**settings(n_structures=10, circular=False, extrusion=EXTRUSION))["parental"]
    assert with_extrusion.tobytes() == again.tobytes()


def test_a_barrier_stalls_the_legs_that_face_it():
    # barriers in bin 10 ('+', stops left legs) and bin 12 ('-', stops right legs), on beads 105 and 125
    # (the synthetic genome's 1D model decides the moves; this checks where the barriers land)
    barriers = [[10, "+"], [12, "-"]]
    run = polymer.simulate(**settings(n_structures=10, circular=False, extrusion={**EXTRUSION, "barriers": barriers,
                                                                                  "capture": 1.0}),
                           keep_all_beads=True)
    left = np.bincount(run["extruders"][..., 0].ravel(), minlength=200)
    # left legs pile up on the '+' barrier's bead (the centre of bin 10), not on its neighbours
    assert left[105] >= 3
    assert left[105] > max(left[100:105].max(), left[106:111].max())


def test_inside_by_hand():
    box = {"shape": "box", "size_nm": [150.0, 150.0, 333.0]}
    points = np.array([[74.0, -74.0, 166.0], [76.0, 0.0, 0.0], [0.0, 0.0, -167.0]])
    assert polymer.inside(points, box).tolist() == [True, False, False]
    cylinder = {"shape": "cylinder", "radius_nm": 10.0, "length_nm": 40.0}
    points = np.array([[6.0, 8.0, 20.0], [6.0, 8.1, 0.0], [0.0, 0.0, 20.5]])
    assert polymer.inside(points, cylinder).tolist() == [True, False, False]


def test_restraint_pairs_by_hand():
    contacts = np.full((20, 20), 0.1)
    contacts[0, 2] = contacts[2, 0] = 0.9  # separation 2
    contacts[0, 18] = contacts[18, 0] = 0.8  # separation 18, or 2 the other way round a ring
    contacts[4, 9] = contacts[9, 4] = 0.7  # separation 5
    # one bead per bin here, so pairs of bins are pairs of beads
    top = lambda n_pairs, total: (n_pairs + 0.5) / total  # noqa: E731
    linear_pairs = 190 - 19  # separation >= 2 on a chain
    assert polymer.restraint_pairs(contacts, 1, top(3, linear_pairs), 2, circular=False).tolist() == [
        [0, 2], [0, 18], [4, 9]]
    ring_pairs = 190 - 20
    assert polymer.restraint_pairs(contacts, 1, top(3, ring_pairs), 2, circular=True).tolist() == [
        [0, 2], [0, 18], [4, 9]]
    # at least 3 apart: (0, 2) goes on both; (0, 18) only on a ring, where it is 2 apart
    assert polymer.restraint_pairs(contacts, 1, top(2, 190 - 19 - 18), 3, circular=False).tolist() == [[0, 18], [4, 9]]
    assert polymer.restraint_pairs(contacts, 1, top(1, 190 - 40), 3, circular=True).tolist() == [[4, 9]]
    # restrained beads are the bins' centre beads
    assert polymer.restraint_pairs(contacts, 10, top(1, ring_pairs), 2, circular=True).tolist() == [[5, 25]]

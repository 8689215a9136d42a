"""Coarse-grained confined polymer simulations on OpenMM: the training structures of paper section 3.1.

The chromosome is a bead chain (``beads_per_bin`` beads per Hi-C bin; paper: 10 per 5 kb bin) with
harmonic bonds, soft excluded volume and a confinement wall (the paper's E. coli box is
900 x 900 x 2000 nm), circular or linear. Hi-C-derived restraints may bias the start and are
released in steps before any structure is sampled (section 3.1). Replication factor G in [1, 2]
adds a daughter copy of the segment centred on the origin (bead 0), bonded to the parental chain
at the two forks (a theta structure), with the replication masks of section 4.1. Optional loop
extrusion (not in the paper) bonds the legs of the synthetic genome's 1D extruders on the parental
chain; legs do not pass the chain's first and last bead, also on a ring. Langevin dynamics
samples every ``sample_every`` steps and keeps ``kept_beads_per_bin`` beads per bin (paper: 2,
down-sampling by 5).

Deviations from the paper: the paper runs GROMACS and also models gene expression and ribosome
localisation at initialisation; neither is done here. Units are OpenMM's (nm, ps, kJ/mol).
"""

from dataclasses import dataclass

import numpy as np
import openmm
from openmm import unit

BOLTZMANN_KJ_PER_MOL_K = unit.MOLAR_GAS_CONSTANT_R.value_in_unit(unit.kilojoule_per_mole / unit.kelvin)


@dataclass(frozen=True)
class Topology:
    """Beads and bonds of a (possibly replicating) chain.

    Attributes
    ----------
    n_parental : int
        Beads of the parental chain (bins x beads per bin).
    replicated : numpy.ndarray
        Parental bead indices that have a daughter copy, in chain order; the copy of
        ``replicated[k]`` is bead ``n_parental + k``.
    bonds : numpy.ndarray
        (bonds, 2) bead index pairs.
    """

    n_parental: int
    replicated: np.ndarray
    bonds: np.ndarray

    @property
    def n_beads(self):
        return self.n_parental + len(self.replicated)


def chain_topology(n_beads, circular, replication_factor):
    """Bonds of a parental chain and of its replicated segment.

    The replicated segment covers ``replication_factor - 1`` of the chain, centred on bead 0 (the
    origin of replication) for a circular chain and starting at bead 0 for a linear one; the
    daughter copy is bonded to the parental beads flanking the segment (the replication forks).

    Parameters
    ----------
    n_beads : int
        Beads of the parental chain.
    circular : bool
        Bond the last bead to the first.
    replication_factor : float
        G in [1, 2]: 1 is no copy, 2 a complete daughter chain.

    Returns
    -------
    Topology
    """
    if not 1.0 <= replication_factor <= 2.0:
        raise ValueError(f"replication factor must be in [1, 2], got {replication_factor}")
    index = np.arange(n_beads)
    bonds = [np.stack([index[:-1], index[1:]], axis=1)]
    if circular:
        bonds.append(np.array([[n_beads - 1, 0]]))
    n_copied = int(round((replication_factor - 1.0) * n_beads))
    if circular:
        replicated = (np.arange(n_copied) - n_copied // 2) % n_beads
    else:
        replicated = np.arange(n_copied)
    if n_copied:
        copy = n_beads + np.arange(n_copied)
        bonds.append(np.stack([copy[:-1], copy[1:]], axis=1))
        forks = [(replicated[0] - 1, copy[0]), (replicated[-1] + 1, copy[-1])]
        # A complete copy of a circular chain closes on itself; a linear copy ending at a chain
        # end has no fork there.
        if n_copied == n_beads and circular:
            forks = [(copy[-1], copy[0])]
        bonds.append(np.array([(p % n_beads, c) for p, c in forks if circular or 0 <= p < n_beads]))
    return Topology(n_parental=n_beads, replicated=replicated, bonds=np.concatenate(bonds).astype(np.int64))


def replication_masks(n_bins, kept_beads_per_bin, topology):
    """Masks of section 4.1 on the kept beads: parental all 1, daughter 1 where replicated.

    Returns
    -------
    numpy.ndarray
        (2, n_bins * kept_beads_per_bin) uint8: row 0 parental, row 1 daughter.
    """
    daughter = np.zeros(topology.n_parental, dtype=np.uint8)
    daughter[topology.replicated] = 1
    kept = kept_bead_indices(n_bins, topology.n_parental // n_bins, kept_beads_per_bin)
    return np.stack([np.ones(len(kept), dtype=np.uint8), daughter[kept]])


def kept_bead_indices(n_bins, beads_per_bin, kept_beads_per_bin):
    """Indices of the beads kept when down-sampling: the centre bead of each of a bin's groups.

    Paper 3.1: 10 simulated beads per bin, down-sampled by 5 to 2 per bin; each group of
    ``beads_per_bin // kept_beads_per_bin`` consecutive beads is represented by its centre bead.
    """
    if beads_per_bin % kept_beads_per_bin:
        raise ValueError(f"beads_per_bin {beads_per_bin} is not a multiple of kept_beads_per_bin {kept_beads_per_bin}")
    stride = beads_per_bin // kept_beads_per_bin
    return np.arange(n_bins * kept_beads_per_bin) * stride + stride // 2


def confinement_force(confinement, wall_stiffness):
    """A wall that pushes bead centres back inside a box or a cylinder centred on the origin.

    The wall acts on a bead once its centre is half a bond length from the boundary, so with a
    stiff wall no centre reaches the boundary itself.

    Parameters
    ----------
    confinement : dict
        ``{"shape": "box", "size_nm": [x, y, z]}`` or ``{"shape": "cylinder", "radius_nm": r,
        "length_nm": l}`` (axis along z); already shrunk by the wall margin.
    wall_stiffness : float
        kJ/mol/nm^2.
    """
    if confinement["shape"] == "box":
        hx, hy, hz = (s / 2 for s in confinement["size_nm"])
        expression = "wall_k*(max(0, abs(x)-wall_hx)^2 + max(0, abs(y)-wall_hy)^2 + max(0, abs(z)-wall_hz)^2)"
        parameters = {"wall_hx": hx, "wall_hy": hy, "wall_hz": hz}
    else:
        expression = "wall_k*(max(0, sqrt(x^2+y^2)-wall_r)^2 + max(0, abs(z)-wall_hz)^2)"
        parameters = {"wall_r": confinement["radius_nm"], "wall_hz": confinement["length_nm"] / 2}
    force = openmm.CustomExternalForce(expression)
    # global parameters are shared by the whole context: every force's names carry its prefix
    force.addGlobalParameter("wall_k", wall_stiffness)
    for name, value in parameters.items():
        force.addGlobalParameter(name, value)
    return force


def shrink(confinement, margin):
    """The confinement with every wall moved inwards by ``margin`` nm."""
    if confinement["shape"] == "box":
        return {"shape": "box", "size_nm": [s - 2 * margin for s in confinement["size_nm"]]}
    if confinement["shape"] == "cylinder":
        return {"shape": "cylinder", "radius_nm": confinement["radius_nm"] - margin,
                "length_nm": confinement["length_nm"] - 2 * margin}
    raise ValueError(f"unknown confinement shape {confinement['shape']!r}")


def inside(coords, confinement):
    """Whether each bead centre lies inside the confinement (the known-truth check of the wall)."""
    coords = np.asarray(coords)
    if confinement["shape"] == "box":
        return np.all(np.abs(coords) <= np.asarray(confinement["size_nm"]) / 2, axis=-1)
    radial = np.hypot(coords[..., 0], coords[..., 1])
    return (radial <= confinement["radius_nm"]) & (np.abs(coords[..., 2]) <= confinement["length_nm"] / 2)


def restraint_pairs(contacts, beads_per_bin, top_fraction, min_separation_bins, circular):
    """Bead pairs restrained by a Hi-C map: the centre beads of its most frequent distant bin pairs.

    A simple stand-in for Wasim et al. (2021)'s Hi-C-derived restraints (paper 3.1): the
    ``top_fraction`` of bin pairs at least ``min_separation_bins`` apart with the highest contact
    values are each restrained to the contact distance.

    Parameters
    ----------
    contacts : numpy.ndarray
        (bins, bins) symmetric contact map; NaN is ignored.

    Returns
    -------
    numpy.ndarray
        (pairs, 2) parental bead indices.
    """
    contacts = np.asarray(contacts, dtype=np.float64)
    n = contacts.shape[0]
    i, j = np.triu_indices(n, k=1)
    separation = j - i
    if circular:
        separation = np.minimum(separation, n - separation)
    keep = (separation >= min_separation_bins) & np.isfinite(contacts[i, j])
    i, j = i[keep], j[keep]
    n_pairs = int(np.floor(top_fraction * len(i)))
    # stable sort: ties keep bin order, so the restraint set is deterministic
    order = np.argsort(-contacts[i, j], kind="stable")[:n_pairs]
    centre = beads_per_bin // 2
    return np.stack([i[order] * beads_per_bin + centre, j[order] * beads_per_bin + centre], axis=1)


def fold_into(values, half):
    """Reflect values into [-half, half] at its walls (a triangle wave), keeping distinct points distinct."""
    period = np.mod(values + half, 4 * half)
    return np.where(period <= 2 * half, period, 4 * half - period) - half


def initial_conformation(topology, bond_length, confinement, rng):
    """A random walk reflected into the confinement, closed when circular, daughter beads beside theirs.

    Reflection rather than clipping keeps beads apart (the soft repulsion's force is undefined for
    coincident beads); stretched bonds are relaxed by energy minimisation before dynamics.
    """
    n = topology.n_parental
    steps = rng.normal(size=(n, 3))
    steps *= bond_length / np.linalg.norm(steps, axis=1, keepdims=True)
    circular = np.any((topology.bonds[:, 0] == n - 1) & (topology.bonds[:, 1] == 0))
    if circular:
        # a random bridge: steps summing to zero close the ring
        steps -= steps.mean(axis=0)
    chain = np.cumsum(steps, axis=0)
    chain -= chain.mean(axis=0)
    if confinement["shape"] == "box":
        chain = fold_into(chain, np.asarray(confinement["size_nm"]) / 2)
    else:
        radius = confinement["radius_nm"]
        radial = np.hypot(chain[:, 0], chain[:, 1])
        folded = radius - np.abs(np.mod(radial, 2 * radius) - radius)
        chain[:, :2] *= (folded / np.maximum(radial, 1e-12))[:, None]
        chain[:, 2] = fold_into(chain[:, 2], confinement["length_nm"] / 2)
    daughter = chain[topology.replicated] + rng.normal(scale=0.1 * bond_length, size=(len(topology.replicated), 3))
    return np.concatenate([chain, daughter])


def bond_stiffness(temperature_k, bond_length_nm, bond_wiggle):
    """kJ/mol/nm^2 of a harmonic bond whose length fluctuates by about ``bond_wiggle`` of its rest length."""
    return BOLTZMANN_KJ_PER_MOL_K * temperature_k / (bond_wiggle * bond_length_nm) ** 2


def build_system(topology, *, bond_length_nm, bond_wiggle, repulsion_kT, confinement, wall_stiffness_kT,
                 temperature_k, bead_mass_amu, restraints, restraint_kT):
    """The OpenMM system: bonds, soft excluded volume, the wall and (released) restraints.

    Energies are in kT: bonds have stiffness kT / (bond_wiggle * bond_length)^2 (the bond length
    fluctuates by about ``bond_wiggle`` of its rest length); excluded volume is the soft repulsion
    ``repulsion_kT * (1 - (r/b)^2)^2`` for r < b (finite at overlap, as polymer models of
    chromosomes use, so chains can relax past each other); restraints are harmonic springs of
    stiffness ``restraint_kT / b^2`` to the rest length b, scaled by the global parameter
    ``restraint_scale`` that the release lowers to zero.
    """
    kT = BOLTZMANN_KJ_PER_MOL_K * temperature_k
    b = bond_length_nm
    system = openmm.System()
    for _ in range(topology.n_beads):
        system.addParticle(bead_mass_amu)
    bonds = openmm.HarmonicBondForce()
    bond_k = bond_stiffness(temperature_k, b, bond_wiggle)
    for i, j in topology.bonds:
        bonds.addBond(int(i), int(j), b, bond_k)
    system.addForce(bonds)
    repulsion = openmm.CustomNonbondedForce("repulsion_e*(1-(r/repulsion_b)^2)^2")
    repulsion.addGlobalParameter("repulsion_e", repulsion_kT * kT)
    repulsion.addGlobalParameter("repulsion_b", b)
    repulsion.setCutoffDistance(b)
    repulsion.setNonbondedMethod(openmm.CustomNonbondedForce.CutoffNonPeriodic)
    for _ in range(topology.n_beads):
        repulsion.addParticle([])
    # bonded neighbours sit at the rest length b, where the repulsion is zero anyway; excluding
    # them keeps the bond length distribution that of the harmonic bond alone
    repulsion.createExclusionsFromBonds([(int(i), int(j)) for i, j in topology.bonds], 1)
    system.addForce(repulsion)
    wall = confinement_force(shrink(confinement, b / 2), wall_stiffness_kT * kT / b**2)
    for index in range(topology.n_beads):
        wall.addParticle(index, [])
    system.addForce(wall)
    if len(restraints):
        springs = openmm.CustomBondForce("restraint_scale*0.5*restraint_k*(r-restraint_b)^2")
        springs.addGlobalParameter("restraint_scale", 1.0)
        springs.addGlobalParameter("restraint_k", restraint_kT * kT / b**2)
        springs.addGlobalParameter("restraint_b", b)
        for i, j in restraints:
            springs.addBond(int(i), int(j), [])
        system.addForce(springs)
    return system


def make_simulation(system, positions, *, temperature_k, friction_per_ps, timestep_ps, seed, threads):
    """A Langevin simulation on the CPU platform, reproducible given the seed and thread count."""
    integrator = openmm.LangevinMiddleIntegrator(temperature_k, friction_per_ps, timestep_ps)
    # OpenMM reads seed 0 as "pick one at random": shift by one so that every seed is reproducible
    openmm_seed = seed + 1
    integrator.setRandomNumberSeed(openmm_seed)
    platform = openmm.Platform.getPlatformByName("CPU")
    context = openmm.Context(system, integrator, platform, {"Threads": str(threads), "DeterministicForces": "true"})
    context.setPositions(positions)
    context.setVelocitiesToTemperature(temperature_k, openmm_seed)
    return context, integrator


def positions(context):
    """Bead coordinates (beads, 3) in nm."""
    return context.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer)


class Extrusion:
    """Loop extruders on the parental chain: bonds between each extruder's two legs, moved as they extrude.

    The legs follow the synthetic genome's 1D loop-extrusion model
    (:func:`hicmodels.simulation.synthetic_genome.extrude`, run on beads instead of bins): one
    move every ``steps_per_move`` MD steps, each leg one bead, stalled at a barrier facing it with
    probability ``capture``. Each extruder is a harmonic bond of the chain's rest length between its
    legs (as polymer models of extrusion bond the two legs); OpenMM cannot move a bond onto other
    beads in a running context, so each move reinitialises it with its state kept.

    Parameters
    ----------
    schedule : tuple of numpy.ndarray
        ``left, right`` leg positions (moves, extruders).
    """

    def __init__(self, schedule, steps_per_move, force):
        self.left, self.right = schedule
        self.steps_per_move, self.force = steps_per_move, force

    def place(self, context, move):
        for index, (i, j) in enumerate(zip(self.left[move], self.right[move])):
            _, _, length, stiffness = self.force.getBondParameters(index)
            self.force.setBondParameters(index, int(i), int(j), length, stiffness)
        context.reinitialize(preserveState=True)

    def legs(self, move):
        return np.stack([self.left[move], self.right[move]], axis=1)


def extrusion_schedule(n_beads, n_moves, rng, *, separation_beads, lifetime_moves, capture, barriers):
    """Leg positions of the extruders for ``n_moves`` moves after a burn-in of 10 lifetimes.

    ``barriers`` is a list of ``(bead, orientation)``; ``+`` stops left-moving legs (as CTCF sites
    in the synthetic genome).
    """
    import pandas as pd

    from ..simulation.synthetic_genome import extrude

    sites = pd.DataFrame(list(barriers), columns=["bin", "orientation"]).astype({"bin": int, "orientation": str})
    return extrude(sites, n_beads, rng, separation=separation_beads, lifetime=lifetime_moves, capture=capture,
                   burn_in=int(10 * lifetime_moves), snapshots=n_moves, every=1)


class Stepper:
    """Advances the integrator, moving the extruders (if any) every ``steps_per_move`` steps.

    A move is placed when the next step needs it, so that after ``step`` the extruders in place
    are those that shaped the current coordinates.
    """

    def __init__(self, context, integrator, extrusion):
        self.context, self.integrator, self.extrusion = context, integrator, extrusion
        self.done, self.placed = 0, None

    def step(self, steps):
        if self.extrusion is None:
            self.integrator.step(steps)
            return
        every = self.extrusion.steps_per_move
        while steps > 0:
            move = self.done // every
            if move != self.placed:
                self.extrusion.place(self.context, move)
                self.placed = move
            chunk = min(steps, every - self.done % every)
            self.integrator.step(chunk)
            self.done += chunk
            steps -= chunk

    def legs(self):
        """The extruders' legs in place (extruders, 2); empty without extrusion."""
        if self.extrusion is None:
            return np.empty((0, 2), dtype=np.int64)
        return self.extrusion.legs(self.placed)


def simulate(*, n_bins, beads_per_bin, kept_beads_per_bin, circular, replication_factor, bond_length_nm,
             bond_wiggle, repulsion_kT, confinement, wall_stiffness_kT, temperature_k, bead_mass_amu,
             friction_per_ps, timestep_ps, equilibration_steps, release_stages, release_steps, n_structures,
             sample_every, seed, threads, contacts=None, restraint_top_fraction=0.0,
             restraint_min_separation_bins=2, restraint_kT=0.0, restraint_bins=None, extrusion=None,
             keep_all_beads=False):
    """Simulate one ensemble: minimise, equilibrate (restrained), release, then sample.

    Parameters
    ----------
    n_bins, beads_per_bin, kept_beads_per_bin : int
        Chain size: ``n_bins * beads_per_bin`` simulated beads, ``kept_beads_per_bin`` kept per bin.
    circular : bool
        Circular topology.
    replication_factor : float
        G of paper 3.1 in [1, 2].
    contacts : numpy.ndarray or None
        (n_bins, n_bins) Hi-C map whose top pairs restrain the equilibration; None for none.
    restraint_bins : array-like or None
        (pairs, 2) bin pairs restrained directly (their centre beads, as :func:`restraint_pairs`
        places a map's), instead of a map's top pairs; None for the map's.
    release_stages, release_steps : int
        The restraints are scaled down linearly to zero in ``release_stages`` stages of
        ``release_steps`` steps each, after ``equilibration_steps`` with full restraints; 0 stages
        keep them on while sampling (to check what they do; the workflow always releases).
    n_structures, sample_every : int
        Structures sampled, one every ``sample_every`` steps after the release.
    extrusion : dict or None
        Loop extrusion on the parental chain (:class:`Extrusion`): ``separation_beads`` (beads
        per extruder), ``lifetime_moves``, ``capture``, ``steps_per_move`` and ``barriers``
        (``[bin, orientation]`` pairs, placed on the bin's centre bead); None for none.
    keep_all_beads : bool
        Return every simulated bead instead of the down-sampled ones (for tests of the physics).

    Returns
    -------
    dict
        ``parental`` (structures, beads, 3) float32 nm; ``daughter`` the same for the daughter
        copy (zeros where not replicated); ``masks`` (2, beads) uint8; ``topology``;
        ``restraints``; ``extruders`` (structures, extruders, 2) the simulated beads the
        extruders' legs held when each structure was taken.
    """
    rng = np.random.default_rng(seed)
    n_beads = n_bins * beads_per_bin
    topology = chain_topology(n_beads, circular, replication_factor)
    restraints = np.empty((0, 2), dtype=np.int64)
    if restraint_bins is not None:
        restraints = np.asarray(restraint_bins, dtype=np.int64).reshape(-1, 2) * beads_per_bin + beads_per_bin // 2
    elif contacts is not None and restraint_top_fraction > 0:
        restraints = restraint_pairs(contacts, beads_per_bin, restraint_top_fraction,
                                     restraint_min_separation_bins, circular)
    system = build_system(topology, bond_length_nm=bond_length_nm, bond_wiggle=bond_wiggle,
                          repulsion_kT=repulsion_kT, confinement=confinement, wall_stiffness_kT=wall_stiffness_kT,
                          temperature_k=temperature_k, bead_mass_amu=bead_mass_amu, restraints=restraints,
                          restraint_kT=restraint_kT)
    start = initial_conformation(topology, bond_length_nm, shrink(confinement, bond_length_nm / 2), rng)
    extruders = None
    if extrusion is not None:
        total = equilibration_steps + n_structures * sample_every + (release_stages * release_steps if len(restraints) else 0)
        centre = beads_per_bin // 2
        schedule = extrusion_schedule(
            n_beads, total // extrusion["steps_per_move"] + 1, rng, separation_beads=extrusion["separation_beads"],
            lifetime_moves=extrusion["lifetime_moves"], capture=extrusion["capture"],
            barriers=[(int(b) * beads_per_bin + centre, o) for b, o in extrusion["barriers"]])
        force = openmm.HarmonicBondForce()
        for i, j in zip(schedule[0][0], schedule[1][0]):
            force.addBond(int(i), int(j), bond_length_nm, bond_stiffness(temperature_k, bond_length_nm, bond_wiggle))
        system.addForce(force)
        extruders = Extrusion(schedule, extrusion["steps_per_move"], force)
    context, integrator = make_simulation(system, start, temperature_k=temperature_k, friction_per_ps=friction_per_ps,
                                          timestep_ps=timestep_ps, seed=seed, threads=threads)
    openmm.LocalEnergyMinimizer.minimize(context)
    stepper = Stepper(context, integrator, extruders)
    stepper.step(equilibration_steps)
    if len(restraints):
        for stage in range(1, release_stages + 1):
            context.setParameter("restraint_scale", 1.0 - stage / release_stages)
            stepper.step(release_steps)
    frames, legs = [], []
    for _ in range(n_structures):
        stepper.step(sample_every)
        frames.append(positions(context))
        legs.append(stepper.legs())
    frames = np.asarray(frames, dtype=np.float32)
    daughter_full = np.zeros((n_structures, n_beads, 3), dtype=np.float32)
    daughter_full[:, topology.replicated] = frames[:, n_beads:]
    if keep_all_beads:
        kept = np.arange(n_beads)
        masks = np.ones((2, n_beads), dtype=np.uint8)
        masks[1] = np.isin(kept, topology.replicated)
    else:
        kept = kept_bead_indices(n_bins, beads_per_bin, kept_beads_per_bin)
        masks = replication_masks(n_bins, kept_beads_per_bin, topology)
    return {"parental": frames[:, kept], "daughter": daughter_full[:, kept], "masks": masks, "topology": topology,
            "restraints": restraints, "extruders": np.asarray(legs, dtype=np.int64)}


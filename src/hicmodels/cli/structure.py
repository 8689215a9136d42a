"""structure: 3D structure ensembles: polymer simulations of training ensembles, their metrics and figures.

The E. coli 3D diffusion-transformer paper: ensembles of structures whose contacts match a Hi-C map.
"""

import logging
import time

from ..config import config_schema, section_schema, settings_schema
from ..errors import InputError
from .common import add_command, add_settings, experimental_map

log = logging.getLogger("hicmodels")


def _simulate_schema():
    sections = config_schema()["properties"]
    return settings_schema({"type": "object", "additionalProperties": False,
                            "properties": {"structure": sections["structure"],
                                           "circular": sections["reference"]["properties"]["circular"]}})


def _region_map(settings, args):
    """The bins, contacts, circularity and name of the configured region of an experimental map."""
    import numpy as np
    import pandas as pd

    from ..genome.reference import chromsizes

    region = settings["structure"]["simulation"]["region"]
    if not (args.cool and args.fasta and args.aliases):
        raise InputError("structure.simulation.region is set: --cool, --fasta and --aliases are needed")
    sizes = chromsizes(args.fasta)
    chrom, start, end = region["chrom"], region["start"], region["end"]
    if chrom not in sizes.index:
        raise InputError(f"structure.simulation.region: chromosome {chrom!r} is not in the reference", args.fasta)
    experiment = experimental_map(args.cool, args.aliases, args.fasta, balance=True)
    binsize = experiment.binsize
    if start % binsize or (end % binsize and end != sizes[chrom]) or not start < end <= sizes[chrom]:
        raise InputError(f"structure.simulation.region {chrom}:{start}-{end}: start and end must be bin edges of "
                         f"the map's {binsize} bp bins within the chromosome ({sizes[chrom]} bp)", args.cool)
    lo, hi = start // binsize, -(-end // binsize)
    contacts = experiment.contacts(chrom, lo, hi)
    starts = np.arange(lo, hi, dtype=np.int64) * binsize
    bins = pd.DataFrame({"chrom": chrom, "start": starts, "end": np.minimum(starts + binsize, sizes[chrom])})
    whole = start == 0 and end == sizes[chrom]
    circular = whole and chrom in settings["circular"]
    if chrom in settings["circular"] and not whole:
        log.info("%s is circular, but the region %d-%d is not all of it: simulated as a linear chain", chrom, start, end)
    return bins, contacts, circular, f"{args.cool}::{chrom}:{start}-{end}", sizes, binsize


def simulate(args):
    import numpy as np
    import pandas as pd

    from ..structure.dataset import training_ensemble, unrestrained_bins
    from ..structure.io import write_ensemble, write_ensemble_cool, write_mmcif

    simulation = args.settings["structure"]["simulation"]
    metrics = args.settings["structure"]["metrics"]
    if args.index >= simulation["ensembles"]:
        raise InputError(f"--index {args.index}: structure.simulation.ensembles is {simulation['ensembles']}")
    if simulation["region"] is None:
        bins, contacts, circular, source = unrestrained_bins(simulation), None, simulation["circular"], "simulation"
        binsize = simulation["bin_size"]
        sizes = pd.Series({"polymer": len(bins) * binsize})
    else:
        bins, contacts, circular, source, sizes, binsize = _region_map(args.settings, args)
        contacts = np.where(np.isfinite(contacts), contacts, np.nan)
    began = time.perf_counter()
    ensemble = training_ensemble(simulation, args.index, bins, circular, contacts, source)
    seconds = time.perf_counter() - began
    log.info("ensemble %d: %d structures of %d bins (G %.2f) in %.1f s, %.2f s per structure", args.index,
             simulation["structures"], len(bins), 1 + ensemble["masks"][1].mean(), seconds,
             seconds / simulation["structures"])
    write_ensemble(args.out, **ensemble)
    chrom, first_bin = str(bins["chrom"].iloc[0]), int(bins["start"].iloc[0]) // binsize
    write_ensemble_cool(args.cool_out, sizes, binsize, chrom, first_bin, ensemble["contacts"],
                        metadata={"source_map": source, "structures": simulation["structures"],
                                  "contact_distance_nm": simulation["contact_distance_nm"], "seed": ensemble["seed"]})
    shown = metrics["mmcif_structures"]
    # nm are written as the format's angstroms
    write_mmcif(args.mmcif, ensemble["coordinates"][:shown], ensemble["daughter"][:shown], ensemble["masks"],
                scale=10.0, name=f"ensemble_{args.index}", circular=circular)


def metrics(args):
    import pandas as pd

    from ..files import write_tsv
    from ..structure.ensemble import summary
    from ..structure.io import read_ensemble

    settings = args.settings
    rows = []
    for path in args.ensembles:
        row = summary(read_ensemble(path), settings["scc_h"], settings["scc_max_offset"],
                      settings["perturbation_sigma_bonds"])
        rows.append({"ensemble": path, **row})
        log.info("%s: SCC %.3f, mean pairwise dRMSD %.3g (perturbation baseline %.3g)", path, row["scc"],
                 row["mean_pairwise_drmsd"], row["perturbation_drmsd"])
    write_tsv(pd.DataFrame(rows), args.out, float_format="%.6g")


def plot(args):
    from ..structure import figures
    from ..structure.io import read_ensemble

    ensemble = read_ensemble(args.ensemble)
    figures.plot_contact_decay(ensemble, args.contact_decay)
    figures.plot_maps(ensemble, args.maps)
    figures.plot_projection(ensemble, args.projection)


def _train_schema():
    sections = config_schema()["properties"]
    return settings_schema({"type": "object", "additionalProperties": False,
                            "properties": {"structure": sections["structure"],
                                           "structure_presets": sections["structure_presets"]}})


def train(args):
    import torch

    from ..structure.dataset import training_arrays
    from ..structure.io import read_ensemble
    from ..structure.training import save_bundle, train_generator, train_vae

    if args.threads:
        torch.set_num_threads(args.threads)
    structure = args.settings["structure"]
    generator = structure["generator"]
    if generator["preset"] not in args.settings["structure_presets"]:
        raise InputError(f"structure.generator.preset {generator['preset']!r} is not a key of structure_presets")
    ensembles = [read_ensemble(path) for path in args.ensembles]
    coords, mask, maps, map_index = training_arrays(ensembles)
    first = ensembles[0]
    began = time.perf_counter()
    bundle, vae_history = train_vae(coords, mask, structure["vae"], first["beads_per_bin"], first["circular"],
                                    generator["seed"])
    log.info("VAE: %d structures of %d ensembles, %d epochs in %.1f s, last loss %.4g", len(coords), len(maps),
             len(vae_history), time.perf_counter() - began, vae_history[-1]["loss"])
    began = time.perf_counter()
    bundle, history = train_generator(coords, mask, maps, map_index, bundle,
                                      args.settings["structure_presets"][generator["preset"]], generator,
                                      generator["seed"])
    log.info("generator (%s): %d epochs in %.1f s, last loss %.4g", generator["preset"], len(history),
             time.perf_counter() - began, history[-1])
    # what sampling needs to turn generated coordinates into an ensemble like the training ones
    bundle.update({"contact_distance": float(first["contact_distance"]), "units": str(first["units"])})
    save_bundle(bundle, args.out)


def sample(args):
    import pandas as pd
    import torch

    from ..files import write_tsv
    from ..structure.ensemble import summary
    from ..structure.io import write_ensemble, write_ensemble_cool, write_mmcif
    from ..structure.maps import region_map
    from ..structure.training import generated_ensemble, load_bundle

    if args.threads:
        torch.set_num_threads(args.threads)
    structure = args.settings["structure"]
    bundle = load_bundle(args.model)
    missing = [key for key in ("contact_distance", "units") if key not in bundle]
    if missing:
        raise InputError(f"structure model lacks {', '.join(missing)} (train it with `hicmodels structure train`)",
                         args.model)
    n_bins = bundle["generator_config"]["bins"]
    contacts, bins, uri, sizes, circular = region_map(args.cool, args.aliases, args.fasta, args.chrom, args.start,
                                                      args.end, n_bins, args.settings["circular"])
    if circular != bundle["vae_config"]["circular"]:
        log.warning("the region is %s, the structure model was trained on %s chains",
                    "circular" if circular else "linear", "circular" if bundle["vae_config"]["circular"] else "linear")
    generator, metrics = structure["generator"], structure["metrics"]
    source = f"{uri}::{args.chrom}:{args.start}-{args.end}"
    began = time.perf_counter()
    ensemble = generated_ensemble(bundle, contacts, bins, structure["sample"]["structures"], generator["seed"],
                                  generator["guidance"], generator["steps"], source, circular)
    log.info("%s: %d structures of %d bins in %.1f s", source, structure["sample"]["structures"], n_bins,
             time.perf_counter() - began)
    write_ensemble(args.out, **ensemble)
    binsize = int(bins["end"].iloc[0] - bins["start"].iloc[0])
    write_ensemble_cool(args.cool_out, sizes, binsize, args.chrom, args.start // binsize, ensemble["contacts"],
                        metadata={"source_map": source, "structures": structure["sample"]["structures"],
                                  "contact_distance": bundle["contact_distance"], "units": bundle["units"],
                                  "seed": generator["seed"], "guidance": generator["guidance"],
                                  "steps": generator["steps"]})
    shown = metrics["mmcif_structures"]
    scale = 10.0 if bundle["units"] == "nm" else 1.0  # nm are written as the format's angstroms
    write_mmcif(args.mmcif, ensemble["coordinates"][:shown], ensemble["daughter"][:shown], ensemble["masks"],
                scale=scale, name=f"{args.chrom}_{args.start}_{args.end}", circular=circular)
    row = summary(ensemble, metrics["scc_h"], metrics["scc_max_offset"], metrics["perturbation_sigma_bonds"])
    log.info("SCC with the input map %.3f, mean pairwise dRMSD %.3g (perturbation baseline %.3g)", row["scc"],
             row["mean_pairwise_drmsd"], row["perturbation_drmsd"])
    write_tsv(pd.DataFrame([{"source_map": source, "chrom": args.chrom, "start": args.start, "end": args.end, **row}]),
              args.metrics, float_format="%.6g")


def compare(args):
    import torch

    from ..structure.comparison import compare_ensembles, plot_comparison
    from ..structure.io import read_ensemble
    from ..structure.training import load_bundle

    if args.threads:
        torch.set_num_threads(args.threads)
    structure = args.settings["structure"]
    generator = structure["generator"]
    bundle = load_bundle(args.model)
    ensembles = [read_ensemble(path) for path in args.ensembles]
    table = compare_ensembles(bundle, ensembles, list(args.ensembles), structure["metrics"], generator["seed"],
                              generator["guidance"], generator["steps"])
    for (source, metric), value in table[table["metric"] != "contact_decay"].groupby(["source", "metric"])["value"]:
        log.info("%s %s: mean %.3f over %d test ensembles", source, metric, value.mean(), len(value))
    plot_comparison(table, args.out)


def _ensemble_outputs(parser):
    """The files of one ensemble a command writes: HDF5 structures, the map as .cool, mmCIF."""
    parser.add_argument("--out", required=True, help="ensemble written (HDF5)")
    parser.add_argument("--cool-out", required=True, help="the ensemble's contact map written (.cool)")
    parser.add_argument("--mmcif", required=True, help="the first structures written (mmCIF, one model each)")


def register(commands):
    p = add_command(commands, "simulate", simulate,
                    "simulate one training ensemble (polymer on OpenMM): HDF5 structures + map, .cool, mmCIF")
    p.add_argument("--index", type=int, required=True, help="which ensemble (its seed is structure.simulation.seed + index)")
    p.add_argument("--cool", help="experimental map of structure.simulation.region (.cool or .mcool::/resolutions/N)")
    p.add_argument("--fasta", help="reference FASTA (with --cool)")
    p.add_argument("--aliases", help="chromosome alias table (with --cool)")
    _ensemble_outputs(p)
    add_settings(p, _simulate_schema, '{"structure": config structure, "circular": config reference.circular}')

    p = add_command(commands, "train", train,
                    "train the structure VAE, then the generator, on simulated ensembles: one model bundle (.pt)")
    p.add_argument("--ensembles", nargs="+", required=True, help="training ensembles (HDF5, `structure simulate`)")
    p.add_argument("--out", required=True, help="model bundle written (.pt)")
    p.add_argument("--threads", type=int, help="CPU threads (default: PyTorch's choice; outputs depend on it)")
    add_settings(p, _train_schema, '{"structure": config structure, "structure_presets": config structure_presets}')

    p = add_command(commands, "sample", sample,
                    "sample an ensemble for a region of a map: HDF5 structures + maps, .cool, mmCIF, metrics row")
    p.add_argument("--model", required=True, help="model bundle (`structure train`)")
    p.add_argument("--cool", required=True,
                   help=".cool, .mcool (the resolution giving the model's bin count is chosen) or .mcool::/resolutions/N")
    p.add_argument("--fasta", required=True, help="reference FASTA (chromosome names and sizes)")
    p.add_argument("--aliases", required=True, help="chromosome alias table")
    p.add_argument("--chrom", required=True, help="region: reference chromosome")
    p.add_argument("--start", type=int, required=True, help="region: start (0-based, a bin edge)")
    p.add_argument("--end", type=int, required=True, help="region: end (a bin edge, or the chromosome's end)")
    _ensemble_outputs(p)
    p.add_argument("--metrics", required=True, help="the ensemble's metrics row written (TSV)")
    p.add_argument("--threads", type=int, help="CPU threads (default: PyTorch's choice; outputs depend on it)")
    add_settings(p, _simulate_schema, '{"structure": config structure, "circular": config reference.circular}')

    p = add_command(commands, "compare", compare,
                    "generated vs simulated held-out ensembles (paper Fig. 4): P(s), SCC, dRMSD; PNG + TSV")
    p.add_argument("--model", required=True, help="model bundle (`structure train`)")
    p.add_argument("--ensembles", nargs="+", required=True, help="held-out simulated ensembles (HDF5)")
    p.add_argument("--out", required=True, help="figure written (PNG, TSV beside it)")
    p.add_argument("--threads", type=int, help="CPU threads (default: PyTorch's choice; outputs depend on it)")
    add_settings(p, _simulate_schema, '{"structure": config structure, "circular": config reference.circular}')

    p = add_command(commands, "metrics", metrics, "SCC with the input map, dRMSD diversity and its baseline, per ensemble")
    p.add_argument("--ensembles", nargs="+", required=True, help="ensemble HDF5 files")
    p.add_argument("--out", required=True, help="table written (TSV)")
    add_settings(p, lambda: settings_schema(section_schema("structure")["properties"]["metrics"]),
                 "config structure.metrics")

    p = add_command(commands, "plot", plot, "report figures of an ensemble: P(s), maps, a structure's projection")
    p.add_argument("--ensemble", required=True, help="ensemble HDF5 file")
    p.add_argument("--contact-decay", required=True, help="P(s) figure written (PNG, TSV beside it)")
    p.add_argument("--maps", required=True, help="input and ensemble maps written (PNG, TSV beside it)")
    p.add_argument("--projection", required=True, help="a structure's projections written (PNG, TSV beside it)")

"""Config and sample sheet: schema defaults, validation, cross-key checks, the model zoo, chromosome folds."""

import copy

import pytest
import yaml

from hicmodels.config import (
    apply_defaults,
    chromosome_splits,
    config_schema,
    leave_one_out,
    model_entries,
    read_samples,
    resolve,
    resolve_config,
    samples_schema,
    section_schema,
)
from hicmodels.errors import InputError

from conftest import REPO


@pytest.fixture
def config(monkeypatch):
    monkeypatch.chdir(REPO)  # the config's paths are relative to the repository
    with open(REPO / "config" / "config.yaml") as handle:
        return yaml.safe_load(handle)


@pytest.fixture
def sample_schema():
    return samples_schema()


def test_bundled_config_and_samples_are_valid(config, sample_schema):
    resolved = resolve_config(config)
    assert list(model_entries(resolved)) == ["yeast"]
    assert model_entries(resolved)["yeast"]["preset"]["architecture"] == "encoder_decoder"
    samples = read_samples("config/samples.tsv", sample_schema)
    assert samples.index.tolist() == ["demo_het", "demo_hom"]


REQUIRED = ("samples", "reference", "hic", "window_presets", "model_presets", "models", "assemble")


def test_the_bundled_config_states_the_schema_defaults(config):
    """A config of only the required keys resolves to the bundled one: defaults live in the schema alone."""
    minimal = {key: config[key] for key in REQUIRED}
    minimal["reference"] = {k: v for k, v in config["reference"].items() if k != "exclude"}
    minimal["models"] = {"yeast": {"preset": "yeast", "windows": "yeast"}}
    minimal["assemble"] = {k: v for k, v in config["assemble"].items() if k != "min_coverage"}
    assert resolve_config(minimal) == resolve_config(config)


def test_defaults_fill_nested_sections_and_refs():
    schema = {"definitions": {"n": {"type": "integer", "default": 3}},
              "type": "object", "properties": {"a": {"type": "object", "default": {},
                                                     "properties": {"b": {"$ref": "#/definitions/n"},
                                                                    "c": {"type": "string"}}}}}
    assert apply_defaults({}, schema, schema) == {"a": {"b": 3}}
    assert apply_defaults({"a": {"b": 5}}, schema, schema) == {"a": {"b": 5}}
    with pytest.raises(InputError, match=r"--config a.b: 'x' is not of type 'integer'"):
        resolve({"a": {"b": "x"}}, schema, "--config")


def test_schema_rejects_a_bad_sample_name(tmp_path, sample_schema):
    sheet = tmp_path / "samples.tsv"
    vcf = REPO / "resources" / "demo" / "demo.vcf.gz"
    sheet.write_text(f"sample\tvcf\ngood_1\t{vcf}\nbad name!\t{vcf}\n")
    with pytest.raises(InputError, match=r"samples.tsv:3: column 'sample': 'bad name!' does not match"):
        read_samples(sheet, sample_schema)


def test_sample_sheet_missing_file_and_duplicates(tmp_path, sample_schema):
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample\tvcf\na\tnowhere.vcf.gz\n")
    with pytest.raises(InputError, match=r"samples.tsv:2: column 'vcf': file not found: nowhere.vcf.gz"):
        read_samples(sheet, sample_schema)
    vcf = REPO / "resources" / "demo" / "demo.vcf.gz"
    sheet.write_text(f"sample\tvcf\na\t{vcf}\na\t{vcf}\n")
    with pytest.raises(InputError, match=r"sample names must be unique; repeated: \['a'\]"):
        read_samples(sheet, sample_schema)
    sheet.write_text(f"sample\tvcf\tcolour\na\t{vcf}\tblue\n")
    with pytest.raises(InputError, match=r"samples.tsv:1: unknown column\(s\) \['colour'\]"):
        read_samples(sheet, sample_schema)


def test_schema_rejects_unknown_keys(config):
    config["training"]["epoch"] = 3
    with pytest.raises(InputError, match="config training: Additional properties are not allowed .'epoch' was "
                                         "unexpected"):
        resolve_config(config)


def test_window_and_model_presets_must_agree(config):
    config["window_presets"]["yeast"]["bins"] = 25
    with pytest.raises(InputError, match=r"models.yeast: window preset 'yeast' has 200000 bp in 25 bins, but model "
                                         r"preset 'yeast' pools to 10000 bp per bin"):
        resolve_config(config)


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["hic"]["cell_lines"]["yeast"].update(cool="missing.cool"),
     "config hic.cell_lines.yeast.cool: file not found: missing.cool"),
    (lambda c: c["hic"].update(test_chromosomes=["chrM"]), r"hic.test_chromosomes: \['chrM'\] not in reference.chromosomes"),
    (lambda c: c["hic"].update(validation_chromosomes=["chrXIII"]), r"\['chrXIII'\] are both test and validation"),
    (lambda c: c["models"]["yeast"].update(windows="mouse"),
     r"models.yeast.windows: 'mouse' is not one of \['akita', 'human', 'mixhic', 'synthetic', 'yeast'\] \(window_presets\)"),
    (lambda c: c["models"]["yeast"].update(preset="mouse"), r"models.yeast.preset: 'mouse' is not one of"),
    (lambda c: c["assemble"].update(resolutions=[10000, 25000]), r"\[25000\] are not multiples of bin_size 10000"),
    (lambda c: c["models"].update(a={"preset": "akita", "windows": "akita"}),
     r"models.a.weights: training model preset 'akita' needs targets, crop, diagonal_offset, eps in the preset"),
    (lambda c: c["models"].update(a={"preset": "corigami", "windows": "human"}),
     r"models.a.weights: model preset 'corigami' is a corigami model, which runs published weights only"),
    (lambda c: c["models"].update(a={"preset": "akita_synthetic", "windows": "yeast"}),
     r"models.a: window preset 'yeast' has 200000 bp in 20 bins; model preset 'akita_synthetic' \(akita\) has "
     r"128 bp bins"),
    (lambda c: c["models"].update(a={"preset": "akita_synthetic", "windows": "synthetic", "diffusion": True}),
     r"models.a: the diffusion stage refines encoder_decoder models; model preset 'akita_synthetic' is akita"),
    (lambda c: c["models"].update(a={"preset": "akita", "windows": "akita",
                                     "weights": {"checkpoint": str(REPO / "README.md"), "format": "corigami"}}),
     r"models.a.weights.format: a corigami checkpoint is a corigami model, but model preset 'akita' is akita"),
    (lambda c: c["models"].update(a={"preset": "akita", "windows": "human",
                                     "weights": {"checkpoint": str(REPO / "README.md"), "format": "akita"}}),
     r"models.a: window preset 'human' has 2097152 bp in 256 bins; model preset 'akita' \(akita\) has 2048 bp bins"),
    (lambda c: c["models"].update(a={"preset": "hicdiffusion", "windows": "human",
                                     "weights": {"checkpoint": str(REPO / "README.md"), "format": "hicdiffusion",
                                                 "params": str(REPO / "README.md")}}),
     r"models.a.weights.params: only Akita checkpoints come with a params.json"),
    (lambda c: c["structure"]["generator"].update(preset="XL"),
     r"structure.generator.preset: 'XL' is not a key of structure_presets \(L, S, tiny\)"),
    (lambda c: c["structure_presets"]["S"].update(heads=5), r"structure_presets.S: dim 384 is not a multiple of heads 5"),
    (lambda c: c["structure"].update(sample={"maps": ["experimental", "akita_reference"]}),
     r"structure.sample.maps: 'akita_reference' is not experimental or <model>_<genome> of one model entry \(yeast\)"),
    (lambda c: c["structure"].update(generator={"test_ensembles": 2}),
     r"structure.generator.test_ensembles: 2 of 2 simulated ensembles leaves none to train on"),
])
def test_config_cross_checks(config, edit, message):
    edit(config)
    with pytest.raises(InputError, match=message):
        resolve_config(config)


def test_akita_presets_train_here(config):
    """The trainable Akita presets resolve with weights: train and pool to their window preset's bins."""
    from hicmodels import models

    config["models"].update(transformer={"preset": "akita_vae", "windows": "akita"},
                            small={"preset": "akita_synthetic", "windows": "synthetic"})
    entries = model_entries(resolve_config(config))
    assert models.bin_size(entries["transformer"]["preset"]) == 2048
    assert models.bin_size(entries["small"]["preset"]) == 128
    assert entries["small"]["weights"] == "train"


def test_variant_policies_come_from_the_schema(config):
    from hicmodels.variants.policy import CHOICES, Policy

    schema = config_schema()["properties"]["variants"]["properties"]
    assert {name: tuple(schema[name]["enum"]) for name in CHOICES} == CHOICES
    assert Policy.from_config({}) == Policy(unphased="hap1", filters=("PASS",), filter_missing="accept",
                                            ref_mismatch="error", overlap="skip", unknown_contig="error",
                                            sv_length_conflict="error", iupac="error")
    assert Policy.from_config({"filters": "any", "unphased": "both"}).filters is None
    config["variants"].update(filters=["PASS", "q 10"])
    with pytest.raises(InputError, match=r"config variants.filters: \['q 10'\] are not FILTER names"):
        resolve_config(config)
    config["variants"].update(filters=["PASS"], overlap="merge")
    with pytest.raises(InputError, match="config variants.overlap: 'merge' is not one of"):
        resolve_config(config)


def test_sample_edits_column_is_optional_and_checked(tmp_path, sample_schema):
    sheet = tmp_path / "samples.tsv"
    vcf = REPO / "resources" / "demo" / "demo.vcf.gz"
    sheet.write_text(f"sample\tvcf\tedits\na\t{vcf}\t\nb\t{vcf}\tnowhere.bedpe\n")
    with pytest.raises(InputError, match=r"samples.tsv:3: column 'edits': file not found: nowhere.bedpe"):
        read_samples(sheet, sample_schema)
    sheet.write_text(f"sample\tvcf\na\t{vcf}\n")
    assert read_samples(sheet, sample_schema)["edits"].tolist() == [""]


def test_leave_one_out_folds(config):
    chroms = ["chr1", "chr2", "chr3"]
    assert leave_one_out(chroms, 0) == {"test": ["chr1"], "validation": ["chr2"]}
    # the last chromosome validates on the one before (HiCDiffusion Methods: chr22 on chr21), no wrap-around
    assert leave_one_out(chroms, 2) == {"test": ["chr3"], "validation": ["chr2"]}
    assert [leave_one_out(chroms, i)["validation"] for i in range(3)] == [["chr2"], ["chr3"], ["chr2"]]
    with pytest.raises(InputError, match="at least 2"):
        leave_one_out(["chr1"], 0)
    config["training"]["fold"] = 12
    assert chromosome_splits(config) == {"test": ["chrXIII"], "validation": ["chrXIV"]}
    resolve_config(config)
    config["training"]["fold"] = 16
    with pytest.raises(InputError, match="training.fold: 16 is outside 0..15"):
        resolve_config(config)


@pytest.mark.parametrize("change, message", [
    (lambda c: (c["model_presets"]["yeast"].update(tracks=["ctcf"]),
                c["models"]["yeast"].update(inputs=["sequence", "tracks"])), "channels\\[0\\] must be 5 .* \\+ 1 tracks"),
    (lambda c: (c["model_presets"]["yeast"].update(tracks=["ctcf"], channels=[6, 8, 16, 16, 32, 32, 32, 32, 32]),
                c["models"]["yeast"].update(inputs=["sequence", "tracks"])), "needs track_bin"),
    (lambda c: (c["model_presets"]["yeast"].update(tracks=["ctcf"], track_bin=300,
                                                   channels=[6, 8, 16, 16, 32, 32, 32, 32, 32]),
                c["models"]["yeast"].update(inputs=["sequence", "tracks"])), "not a multiple of track_bin 300"),
    (lambda c: (c["model_presets"]["yeast"].update(tracks=["ctcf"], track_bin=100,
                                                   channels=[6, 8, 16, 16, 32, 32, 32, 32, 32]),
                c["models"]["yeast"].update(inputs=["sequence", "tracks"])),
     "reads track 'ctcf': add its bigWig to hic.cell_lines.yeast.tracks"),
    (lambda c: (c["models"]["yeast"].update(diffusion=True), c["model_presets"]["yeast"]["diffusion"].update(
        dim_mults=[1, 2, 4, 8])), "bins \\(20\\) must be a multiple of 8"),
    (lambda c: (c["models"]["yeast"].update(diffusion=True), c["prediction"].update(sampling_steps=50)),
     "sampling_steps: 50 is more than the 10 timesteps"),
    (lambda c: c["models"]["yeast"].update(inputs=["sequence", "hic"]),
     r"models.yeast.inputs: encoder_decoder models read \['sequence', 'tracks'\], not \['hic'\]"),
    (lambda c: c["models"]["yeast"].update(inputs=["sequence", "tracks"]), "inputs must not list tracks"),
    (lambda c: c["models"]["yeast"].update(weights={"checkpoint": "nowhere.pt"}),
     "config models.yeast.weights.checkpoint: file not found: nowhere.pt"),
    (lambda c: c["models"]["yeast"].update(training={"epochs": 0}), r"models.yeast.training epochs: 0 is less than"),
    (lambda c: c["models"]["yeast"].update(training={"fold": 1}), "fold is set for the whole run"),
])
def test_model_entry_problems_are_named(config, change, message):
    broken = copy.deepcopy(config)
    change(broken)
    with pytest.raises(InputError, match=message):
        resolve_config(broken)


def test_model_entries_merge_their_training_over_the_section(config):
    config["models"]["second"] = {"preset": "yeast", "windows": "yeast", "training": {"seed": 7,
                                                                                    "diffusion": {"epochs": 2}}}
    entries = model_entries(resolve_config(config))
    assert entries["yeast"]["training"] == resolve({}, section_schema("training"), "") | {
        k: v for k, v in config["training"].items()}
    second = entries["second"]["training"]
    assert second["seed"] == 7 and second["epochs"] == config["training"]["epochs"]
    assert second["diffusion"] == {**config["training"]["diffusion"], "epochs": 2}
    assert entries["second"]["weights"] == "train" and entries["second"]["inputs"] == ["sequence"]


def test_a_joint_entry_needs_an_akita_preset_with_an_output_per_cell_line(config):
    config["model_presets"]["two"] = {**config["model_presets"]["akita_synthetic"], "targets": 2}
    config["models"]["both"] = {"preset": "two", "windows": "synthetic", "joint": True}
    with pytest.raises(InputError, match="models.both.joint: .* needs architecture akita and targets 1"):
        resolve_config(config)
    config["hic"]["cell_lines"]["second"] = dict(config["hic"]["cell_lines"]["yeast"])
    assert model_entries(resolve_config(config))["both"]["joint"] is True
    config["models"]["both"]["preset"] = "yeast"
    config["models"]["both"]["windows"] = "yeast"
    with pytest.raises(InputError, match="needs architecture akita"):
        resolve_config(config)


def test_a_presets_paper_training_lies_between_the_section_and_the_entry(config):
    """akita_vae trains as Lu et al. A.4 (SGD 0.004, momentum 0.975, SWA 0.0025) unless the entry says otherwise."""
    config["models"]["vae"] = {"preset": "akita_vae", "windows": "akita", "training": {"epochs": 3}}
    entries = model_entries(resolve_config(config))
    vae = entries["vae"]["training"]
    assert (vae["optimizer"], vae["learning_rate"], vae["momentum"], vae["swa_learning_rate"]) == ("sgd", 0.004,
                                                                                                   0.975, 0.0025)
    assert (vae["batch_size"], vae["gradient_clip"], vae["shift_bp"], vae["epochs"]) == (2, 10.7, 11, 3)
    assert vae["seed"] == config["training"]["seed"] and "training" not in entries["vae"]["preset"]
    yeast = entries["yeast"]["training"]
    assert yeast["optimizer"] == "adamw" and yeast["swa_learning_rate"] is None
    config["model_presets"]["akita_vae"]["training"]["optimizer"] = "adam"
    with pytest.raises(InputError, match="models.vae.training optimizer"):
        model_entries(resolve_config(config))


def test_checkpoint_format_defaults_to_dna2hic(config):
    config["models"]["given"] = {"preset": "yeast", "windows": "yeast",
                                 "weights": {"checkpoint": str(REPO / "README.md")}}
    assert model_entries(resolve_config(config))["given"]["weights"] == {"checkpoint": str(REPO / "README.md"),
                                                                         "format": "dna2hic"}


def test_an_architectures_defaults_fill_only_its_presets(config):
    """The encoder-decoder's readout, symmetrisation and pair order default in the schema's branch for it."""
    schema = {"type": "object", "properties": {"kind": {"enum": ["a", "b"]}, "k": {"type": "integer"}},
              "allOf": [{"if": {"properties": {"kind": {"const": "a"}}},
                         "then": {"properties": {"k": {"default": 3}}}}]}
    assert apply_defaults({"kind": "a"}, schema, schema) == {"kind": "a", "k": 3}
    assert apply_defaults({"kind": "a", "k": 1}, schema, schema) == {"kind": "a", "k": 1}
    assert apply_defaults({"kind": "b"}, schema, schema) == {"kind": "b"}
    presets = resolve_config(config)["model_presets"]
    assert {k: presets["yeast"][k] for k in ("head_kernel", "symmetric", "pair_order")} == {
        "head_kernel": 3, "symmetric": True, "pair_order": "ij"}
    assert {k: presets["hicdiffusion"][k] for k in ("head_kernel", "symmetric", "pair_order")} == {
        "head_kernel": 1, "symmetric": False, "pair_order": "ji"}
    assert not {"head_kernel", "symmetric", "pair_order"} & (set(presets["corigami"]) | set(presets["akita"]))


def test_a_hicdiffusion_checkpoint_needs_the_published_readout_pair_order_and_no_symmetrising(config, tmp_path):
    """Left out, the schema's defaults (3x3, ij, symmetrised) would run the published weights another way."""
    (tmp_path / "encoder_decoder.ckpt").write_text("")
    config["model_presets"]["mine"] = {k: v for k, v in config["model_presets"]["hicdiffusion"].items()
                                       if k not in ("head_kernel", "symmetric", "pair_order")}
    config["models"]["published"] = {"preset": "mine", "windows": "human", "weights": {
        "checkpoint": str(tmp_path / "encoder_decoder.ckpt"), "format": "hicdiffusion"}}
    with pytest.raises(InputError, match="models.published.weights.format: hicdiffusion checkpoints need model preset "
                                         "'mine' to set head_kernel: 1, symmetric: false, pair_order: ji"):
        resolve_config(config)
    config["model_presets"]["mine"].update(head_kernel=1, symmetric=False, pair_order="ji")
    assert model_entries(resolve_config(config))["published"]["preset"] == config["model_presets"]["hicdiffusion"]


def test_structure_region_names_a_configured_cell_line(config):
    config["structure"] = {"simulation": {"region": {"cell_line": "nope", "chrom": "chrIII", "start": 0, "end": 10}}}
    with pytest.raises(InputError, match=r"structure.simulation.region.cell_line: 'nope' is not in hic.cell_lines"):
        resolve_config(config)
    config["structure"] = {"simulation": {"beads_per_bin": 10, "kept_beads_per_bin": 3}}
    with pytest.raises(InputError, match="beads_per_bin 10 is not a multiple of kept_beads_per_bin 3"):
        resolve_config(config)


def test_a_mixhic_entry_needs_the_epigenome_stage_geometry_and_its_tracks(config):
    config["hic"]["cell_lines"]["yeast"]["tracks"] = {"ctcf": "config/config.yaml", "atac": "config/config.yaml"}
    config["models"]["mix"] = {"preset": "mixhic_small", "windows": "mixhic", "inputs": ["tracks"]}
    entry = model_entries(resolve_config(config))["mix"]
    assert entry["preset"]["tracks"] == ["ctcf", "atac"] and entry["weights"] == "train"
    cases = [
        ({"models": {"mix": {"inputs": ["tracks", "hic"]}}}, r"models.mix.inputs: .* inputs must be \[tracks\]"),
        ({"model_presets": {"mixhic_small": {"task": "loop"}}}, r"has task loop; a model entry names the hic task"),
        ({"window_presets": {"mixhic": {"size": 200000, "bins": 40}}}, r"window preset 'mixhic' has 40 bins; .* 50 x 50"),
        ({"window_presets": {"mixhic": {"size": 240000}}}, r"has 240000 bp in 50 bins; .* 5000 bp bins"),
        ({"epigenome": {"targets": {"window_bins": 40}}}, r"epigenome.targets: resolution 5000 and window_bins 40"),
        ({"epigenome": {"tracks": {"bin_size": 50}}}, r"2500 values of 50 bp do not span 50 bins of 5000 bp"),
        ({"model_presets": {"mixhic_small": {"tracks": ["ctcf"]}}}, r"names 1 tracks \['ctcf'\] but has epigenome_tracks 2"),
        ({"model_presets": {"mixhic_small": {"tracks": ["ctcf", "dnase"]}}}, r"reads track 'dnase': add its"),
        ({"hic": {"yeast": {"loops": "absent.bedpe"}}}, r"hic.cell_lines.yeast.loops: file not found"),
    ]
    for change, message in cases:
        changed = copy.deepcopy(config)
        for section, names in change.items():
            for name, keys in names.items():
                target = changed[section]["cell_lines"] if section == "hic" else changed[section]
                target[name] = {**target.get(name, {}), **keys}
        with pytest.raises(InputError, match=message):
            resolve_config(changed)
    del config["model_presets"]["mixhic_small"]["tracks"]
    with pytest.raises(InputError, match=r"training model preset 'mixhic_small' needs tracks in the preset"):
        resolve_config(config)

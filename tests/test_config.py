import copy

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from hicmodels.config import check_config, read_yaml, read_samples
from hicmodels.errors import InputError

from conftest import REPO

SCHEMAS = REPO / "workflow" / "schemas"


@pytest.fixture
def config(monkeypatch):
    monkeypatch.chdir(REPO)
    with open(REPO / "config" / "config.yaml") as handle:
        return yaml.safe_load(handle)


@pytest.fixture
def sample_schema():
    return read_yaml(SCHEMAS / "samples.schema.yaml")


def test_bundled_config_and_samples_are_valid(config, sample_schema):
    validate(copy.deepcopy(config), str(SCHEMAS / "config.schema.yaml"))
    check_config(config)
    samples = read_samples("config/samples.tsv", sample_schema)
    assert samples.index.tolist() == ["demo_het", "demo_hom"]


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
    with pytest.raises(WorkflowError, match="'epoch' was unexpected"):
        validate(config, str(SCHEMAS / "config.schema.yaml"))


def test_window_and_model_presets_must_agree(config):
    config["windows"]["presets"]["yeast"]["bins"] = 25
    with pytest.raises(InputError, match=r"200000 bp in 25 bins, but model preset 'yeast' pools to 10000 bp per bin"):
        check_config(config)


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["hic"]["cell_lines"]["yeast"].update(cool="missing.cool"),
     "config hic.cell_lines.yeast.cool: file not found: missing.cool"),
    (lambda c: c["hic"].update(test_chromosomes=["chrM"]), r"hic.test_chromosomes: \['chrM'\] not in reference.chromosomes"),
    (lambda c: c["hic"].update(validation_chromosomes=["chrXIII"]), r"\['chrXIII'\] are both test and validation"),
    (lambda c: c["windows"].update(preset="mouse"), r"windows.preset: 'mouse' is not one of \['human', 'synthetic', 'yeast'\]"),
    (lambda c: c["assemble"].update(resolutions=[10000, 25000]), r"\[25000\] are not multiples of bin_size 10000"),
])
def test_config_cross_checks(config, edit, message):
    edit(config)
    with pytest.raises(InputError, match=message):
        check_config(config)


def test_variant_policies_reach_the_command_line(config):
    from hicmodels.config import policy_arguments
    from hicmodels.variants.policy import CHOICES

    schema = read_yaml(SCHEMAS / "config.schema.yaml")["properties"]["variants"]["properties"]
    assert {name: tuple(schema[name]["enum"]) for name in CHOICES} == CHOICES
    assert policy_arguments(config) == ("--filters=PASS --unphased=hap1 --filter-missing=accept --ref-mismatch=error"
                                        " --overlap=skip --unknown-contig=error")
    config["variants"].update(filters="any", unphased="both")
    assert policy_arguments(config).startswith("--filters=any --unphased=both ")
    config["variants"].update(filters=["PASS", "q 10"])
    with pytest.raises(InputError, match=r"config variants.filters: \['q 10'\] are not FILTER names"):
        check_config(config)
    config["variants"].update(filters=["PASS"], overlap="merge")
    with pytest.raises(WorkflowError, match="'merge' is not one of"):
        validate(copy.deepcopy(config), str(SCHEMAS / "config.schema.yaml"))


def test_sample_edits_column_is_optional_and_checked(tmp_path, sample_schema):
    sheet = tmp_path / "samples.tsv"
    vcf = REPO / "resources" / "demo" / "demo.vcf.gz"
    sheet.write_text(f"sample\tvcf\tedits\na\t{vcf}\t\nb\t{vcf}\tnowhere.bedpe\n")
    with pytest.raises(InputError, match=r"samples.tsv:3: column 'edits': file not found: nowhere.bedpe"):
        read_samples(sheet, sample_schema)
    sheet.write_text(f"sample\tvcf\na\t{vcf}\n")
    assert read_samples(sheet, sample_schema)["edits"].tolist() == [""]

"""The bad-input suite: each case is refused with a message naming the file (and record),
or handled by a named policy with the expected result (issue 15).

Sections: VCF records, FASTA, sample sheet, config, windows, cool/mcool, bigWig, BAM,
checkpoints, faults (disk full, leftovers of killed runs). Add a case with every fix.
"""

import errno
import re

import pytest

from hicmodels.errors import InputError
from hicmodels.variants import Policy
from variant_helpers import build, write_fasta

A = "GATTACACCTGAAGTCCGTA"
B = "CTTGAGCAATGCCGATTAGC"
REF = {"chrA": A, "chrB": B}


# ---------------------------------------------------------------------------------------------
# VCF records: refused under the default policy, with the record named
# ---------------------------------------------------------------------------------------------

def _ins(pos, info, alt="<INS>"):
    return ("chrA", pos, "i", A[pos - 1], alt, "PASS", f"SVTYPE=INS;{info}", "1|0")


VCF_ERRORS = [
    ("dup_negative_svlen", [("chrA", 5, "d", "A", "<DUP>", "PASS", "SVTYPE=DUP;SVLEN=-5", "1|0")],
     "chrA:5 d: SVLEN=-5 is negative for a <DUP>"),
    ("inv_negative_svlen", [("chrA", 5, "v", "A", "<INV>", "PASS", "SVTYPE=INV;SVLEN=-4", "1|0")],
     "chrA:5 v: SVLEN=-4 is negative for a <INV>"),
    ("ins_negative_svlen", [_ins(5, "SVLEN=-3;SVINSSEQ=ACG")], "chrA:5 i: SVLEN=-3 is negative for a <INS>"),
    ("ins_svlen_vs_sequence", [_ins(5, "SVLEN=7;SVINSSEQ=ACG")],
     "chrA:5 i: SVLEN=7 differs from the 3 bases of the inserted sequence"),
    ("del_end_svlen_disagree", [("chrA", 5, "d", "A", "<DEL>", "PASS", "SVTYPE=DEL;END=10;SVLEN=-3", "1|0")],
     "chrA:5 d: END=10 and SVLEN=-3 disagree (END - POS = 5)"),
    ("dup_end_svlen_disagree", [("chrA", 5, "d", "A", "<DUP>", "PASS", "SVTYPE=DUP;END=10;SVLEN=9", "1|0")],
     "chrA:5 d: END=10 and SVLEN=9 disagree (END - POS = 5)"),
    ("svlen_zero", [("chrA", 5, "d", "A", "<DEL>", "PASS", "SVTYPE=DEL;SVLEN=0", "1|0")],
     "chrA:5 d: SVLEN=0: the SV has no length"),
    ("end_equals_pos", [("chrA", 5, "d", "A", "<INV>", "PASS", "SVTYPE=INV;END=5", "1|0")],
     "chrA:5 d: END=5 equals POS: the SV covers no base"),
    ("ins_end_before_pos", [_ins(5, "END=3;SVINSSEQ=ACG")], "chrA:5 i: END=3 is before POS=5"),
    ("snv_iupac", [("chrA", 3, "s", "T", "R", "PASS", ".", "1|0")],
     "chrA:3 s: ALT 'R' holds IUPAC ambiguity codes (set variants.iupac"),
    ("insertion_iupac", [("chrA", 3, "s", "T", "TACYG", "PASS", ".", "0|1")],
     "chrA:3 s: ALT 'TACYG' holds IUPAC ambiguity codes"),
    ("inserted_sequence_iupac", [_ins(5, "SVINSSEQ=ACGWT")],
     "chrA:5 i: inserted sequence 'ACGWT' holds IUPAC ambiguity codes"),
    ("breakend_insertion_iupac", [("chrA", 10, "b", "T", "TKA[chrB:11[", "PASS", "SVTYPE=BND", "1|0")],
     "chrA:10 b: ALT 'TKA[chrB:11[' holds IUPAC ambiguity codes"),
    ("alt_not_bases", [("chrA", 3, "s", "T", "TXQ", "PASS", ".", "1|0")],
     "chrA:3 s: ALT 'TXQ' is not made of bases (A, C, G, T, N or IUPAC codes)"),
    ("inserted_sequence_not_bases", [_ins(5, "SVINSSEQ=ACGU")],
     "chrA:5 i: inserted sequence 'ACGU' is not made of bases"),
]


@pytest.mark.parametrize("case, rows, message", VCF_ERRORS, ids=[c[0] for c in VCF_ERRORS])
def test_vcf_record_refused(tmp_path, case, rows, message):
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        build(tmp_path, REF, rows)
    assert str(caught.value).startswith(str(tmp_path / "in.vcf.gz") + ": ")
    assert not (tmp_path / "out" / "S1" / "hap1.fa.gz").exists()


# the same records under the skip policies: listed in rejects.tsv with their reason, nothing applied
VCF_SKIPS = [
    ("dup_negative_svlen", VCF_ERRORS[0][1], Policy.from_config({"sv_length_conflict": "skip"}), "sv_length_conflict",
     "SVLEN=-5 is negative for a <DUP>"),
    ("del_end_svlen_disagree", VCF_ERRORS[4][1], Policy.from_config({"sv_length_conflict": "skip"}), "sv_length_conflict",
     "END=10 and SVLEN=-3 disagree (END - POS = 5)"),
    ("ins_svlen_vs_sequence", VCF_ERRORS[3][1], Policy.from_config({"sv_length_conflict": "skip"}), "sv_length_conflict",
     "SVLEN=7 differs from the 3 bases of the inserted sequence"),
    ("end_equals_pos", VCF_ERRORS[7][1], Policy.from_config({"sv_length_conflict": "skip"}), "sv_length_conflict",
     "END=5 equals POS: the SV covers no base"),
    ("snv_iupac", VCF_ERRORS[9][1], Policy.from_config({"iupac": "skip"}), "iupac", "ALT 'R' holds IUPAC ambiguity codes"),
    ("inserted_sequence_iupac", VCF_ERRORS[11][1], Policy.from_config({"iupac": "skip"}), "iupac",
     "inserted sequence 'ACGWT' holds IUPAC ambiguity codes"),
]


@pytest.mark.parametrize("case, rows, policy, reason, detail", VCF_SKIPS, ids=[c[0] for c in VCF_SKIPS])
def test_vcf_record_skipped_by_policy(tmp_path, case, rows, policy, reason, detail):
    out = build(tmp_path, REF, rows, policy=policy)
    got = [tuple(r) for r in out.rejects[["haplotype", "reason", "detail"]].values.tolist()]
    assert got == [(1, reason, detail)]
    assert out.hap[1] == REF and out.hap[2] == REF
    assert out.count(1, "skipped", reason=reason) == 1


@pytest.mark.parametrize("rows, expected", [
    ([("chrA", 3, "s", "T", "R", "PASS", ".", "1|0")], A[:2] + "N" + A[3:]),
    ([("chrA", 3, "s", "T", "TAYG", "PASS", ".", "1|0")], A[:3] + "ANG" + A[3:]),
    ([_ins(5, "SVINSSEQ=ACGWT")], A[:5] + "ACGNT" + A[5:]),
], ids=["snv", "insertion", "inserted_sequence"])
def test_iupac_to_n_writes_n(tmp_path, rows, expected, caplog):
    out = build(tmp_path, REF, rows, policy=Policy.from_config({"iupac": "to_n"}))
    assert out.hap[1]["chrA"] == expected
    assert out.hap[2] == REF
    assert out.count(1, "applied") == 1
    assert "IUPAC ambiguity codes, written as N (policy iupac=to_n)" in caplog.text


def test_sv_figure_table_follows_the_sv_length_policy(tmp_path):
    from variant_helpers import write_vcf

    from hicmodels.variants.records import structural_variants_of

    rows = [("chrA", 5, "d", "A", "<DUP>", "PASS", "SVTYPE=DUP;SVLEN=-5", "1|0"),
            ("chrA", 12, "v", "G", "<INV>", "PASS", "SVTYPE=INV;END=16", "0|1")]
    vcf = write_vcf(tmp_path / "in.vcf", REF, rows)
    with pytest.raises(InputError, match=re.escape(f"{vcf}: chrA:5 d: SVLEN=-5 is negative for a <DUP>")):
        structural_variants_of(vcf, "S1", 1)
    table = structural_variants_of(vcf, "S1", 1, policy=Policy.from_config({"sv_length_conflict": "skip"}))
    assert table[["chrom", "start", "end"]].values.tolist() == [["chrA", 12, 16]]


def test_negative_svlen_of_a_deletion_is_the_vcf_4_2_convention(tmp_path):
    out = build(tmp_path, REF, [("chrA", 5, "d", "A", "<DEL>", "PASS", "SVTYPE=DEL;SVLEN=-3", "1|0")])
    assert out.hap[1]["chrA"] == A[:5] + A[8:]


def _vcf_file_case(tmp_path, case):
    from variant_helpers import write_vcf

    rows = [("chrA", 3, "s", "T", "C", "PASS", ".", "1|0"), ("chrA", 8, "t", "C", "G", "PASS", ".", "0|1")]
    path = tmp_path / "in.vcf.gz"
    if case == "missing":
        return path
    if case == "not_a_vcf":
        write_vcf(tmp_path / "in.vcf", REF, rows)
        path.write_text("sample\tvcf\nS1\tin.vcf.gz\n")  # a sample sheet where the VCF should be, index kept
        return path
    path = write_vcf(tmp_path / "in.vcf", REF, rows, index=case != "no_index")
    if case == "truncated":
        data = open(path, "rb").read()
        open(path, "wb").write(data[: len(data) - 40])
    elif case == "end_not_integer":
        path = write_vcf(tmp_path / "in.vcf", REF, [("chrA", 5, "d", "A", "<DEL>", "PASS", "SVTYPE=DEL;END=x", "1|0")])
    return path


VCF_FILE_ERRORS = [
    ("missing", "VCF not found"),
    ("no_index", "missing index (.tbi or .csi)"),
    ("truncated", "cannot read the VCF header"),
    ("not_a_vcf", "cannot read the VCF header"),
    ("end_not_integer", "chrA:5 d: needs INFO/END or INFO/SVLEN"),  # htslib reads END=x as missing
    ("unknown_sample", "sample 'S9' is not in the VCF (samples: S1)"),
]


@pytest.mark.parametrize("case, message", VCF_FILE_ERRORS, ids=[c[0] for c in VCF_FILE_ERRORS])
def test_bad_vcf_file(tmp_path, case, message):
    from hicmodels.variants import build_haplotypes

    vcf = _vcf_file_case(tmp_path, case)
    ref = write_fasta(tmp_path / "ref.fa", REF)
    with pytest.raises(InputError, match=re.escape(f"{vcf}: {message}")) as caught:
        build_haplotypes(ref, vcf, "S9" if case == "unknown_sample" else "S1", tmp_path / "out")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out" / "hap1.fa.gz").exists()


# ---------------------------------------------------------------------------------------------
# FASTA and windows
# ---------------------------------------------------------------------------------------------

def _n_fasta(tmp_path):
    """chrA: 1000 bp; bases 200-680 are N every other base (240 N, in runs of 1)."""
    import pysam

    seq = list("ACGT" * 250)
    for i in range(200, 680, 2):
        seq[i] = "N"
    path = tmp_path / "n.fa"
    path.write_text(">chrA\n" + "".join(seq) + "\n>chrB\n" + "ACGT" * 100 + "\n")
    pysam.faidx(str(path))
    return path


def test_window_with_too_many_n_is_listed_not_predicted(tmp_path, caplog):
    import pandas as pd

    from hicmodels.genome import liftover, windows

    fasta = _n_fasta(tmp_path)
    none = pd.DataFrame(columns=["chrom", "start", "end", "name"])
    sizes = pd.Series({"chrA": 1000, "chrB": 400})
    got = windows.reference_windows(sizes, ["chrA"], 200, 200, 50, none, {}, fasta=fasta, max_n_fraction=0.1)
    assert dict(zip(got["window_id"], got["status"])) == {
        "chrA:0-200": "ok", "chrA:200-400": "too_many_n", "chrA:400-600": "too_many_n",
        "chrA:600-800": "too_many_n", "chrA:800-1000": "ok",
    }
    assert "3 windows not predicted: more than 10% of their sequence is N (status too_many_n" in caplog.text
    # 40 N of 200 in chrA:600-800: 20%, flagged at 0.1, kept at 0.25; 50% windows flagged at both
    loose = windows.reference_windows(sizes, ["chrA"], 200, 200, 50, none, {}, fasta=fasta, max_n_fraction=0.25)
    assert loose["status"].tolist() == ["ok", "too_many_n", "too_many_n", "ok", "ok"]
    # a haplotype keeps the reference window's status (identity mapping)
    blocks = pd.DataFrame([("chrA", 0, 1000, "chrA", 0, 1000, "+")], columns=liftover.BLOCK_COLUMNS)
    lifted = windows.haplotype_windows(got, blocks, pd.Series({"chrA": 1000}))
    assert lifted["status"].tolist() == got["status"].tolist()
    assert (lifted.loc[lifted["status"] != "ok", "seq_start"] == -1).all()
    # and is checked against its own sequence
    plain = windows.reference_windows(sizes, ["chrA"], 200, 200, 50, none, {})
    assert (plain["status"] == "ok").all()
    flagged = windows.haplotype_windows(plain, blocks, pd.Series({"chrA": 1000}), fasta=fasta, max_n_fraction=0.1)
    assert flagged["status"].tolist() == got["status"].tolist()


def test_max_n_fraction_out_of_range(tmp_path):
    import pandas as pd

    from hicmodels.genome import windows

    none = pd.DataFrame(columns=["chrom", "start", "end", "name"])
    with pytest.raises(InputError, match="max_n_fraction 1.5 is not between 0 and 1"):
        windows.reference_windows(pd.Series({"chrA": 1000}), ["chrA"], 200, 200, 50, none, {},
                                  fasta=_n_fasta(tmp_path), max_n_fraction=1.5)


FASTA_ERRORS = [
    ("zero_length_record", ">chrA\nACGT\n>chrB\n>chrC\nAC\n", "in.fa:3: sequence 'chrB' is empty (0 bases)"),
    ("zero_length_last", ">chrA\nACGT\n>chrB\n", "in.fa:3: sequence 'chrB' is empty (0 bases)"),
    ("repeated_name", ">chrA\nACGT\n>chrA\nAC\n", "in.fa:3: sequence name 'chrA' is repeated"),
    ("text_before_header", "ACGT\n>chrA\nAC\n", "in.fa:1: text before the first '>' header: not a FASTA file"),
    ("no_record", "\n", "in.fa: no FASTA record"),
    ("header_without_name", ">\nACGT\n", "in.fa:1: FASTA header without a name"),
]


@pytest.mark.parametrize("case, text, message", FASTA_ERRORS, ids=[c[0] for c in FASTA_ERRORS])
def test_reference_fasta_refused(tmp_path, case, text, message):
    from hicmodels.genome.fasta import write_bgzip_fasta

    (tmp_path / "in.fa").write_text(text)
    with pytest.raises(InputError, match=re.escape(message)):
        write_bgzip_fasta(tmp_path / "in.fa", tmp_path / "out" / "genome.fa.gz")
    assert not (tmp_path / "out" / "genome.fa.gz").exists()


def test_zero_length_chromosome_in_an_indexed_fasta(tmp_path):
    from hicmodels.genome.reference import chromsizes

    (tmp_path / "ref.fa").write_text(">chrA\nACGT\n>chrB\n\n")
    (tmp_path / "ref.fa.fai").write_text("chrA\t4\t6\t4\t5\nchrB\t0\t17\t0\t1\n")
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'ref.fa'}: chromosome 'chrB' has 0 bases")):
        chromsizes(tmp_path / "ref.fa")


def test_unreadable_indexed_fasta(tmp_path):
    from hicmodels.genome.reference import chromsizes

    (tmp_path / "ref.fa.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'ref.fa.gz'}: cannot read the indexed FASTA")):
        chromsizes(tmp_path / "ref.fa.gz")


# ---------------------------------------------------------------------------------------------
# cool / mcool
# ---------------------------------------------------------------------------------------------

SIZES = {"chrI": 4000, "chrII": 3000}


def _cool(path, names=("chrI", "chrII"), weight=True):
    """A small balanced cooler with 1 kb bins (float counts)."""
    import cooler
    import numpy as np
    import pandas as pd

    sizes = pd.Series(dict(zip(names, SIZES.values())))
    bins = cooler.binnify(sizes, 1000)
    if weight:
        bins["weight"] = 1.0
    n = len(bins)
    i, j = np.triu_indices(n)
    pixels = pd.DataFrame({"bin1_id": i, "bin2_id": j, "count": (1.0 + i + j)})
    cooler.create_cooler(str(path), bins, pixels, dtypes={"count": np.float64}, ordered=True)
    return path


def _reference():
    import pandas as pd

    return pd.Series(SIZES)


def _corrupt_dataset(path, dataset):
    """Overwrite the stored bytes of ``dataset``'s first chunk with garbage."""
    import h5py

    with h5py.File(path, "r") as store:
        dset = store[dataset]
        info = dset.id.get_chunk_info(0) if dset.chunks else None
        offset, size = (info.byte_offset, info.size) if info else (dset.id.get_offset(), dset.id.get_storage_size())
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\xff\x00" * (size // 2) + b"\xff" * (size % 2))


def _make_cool_case(tmp_path, case):
    path = tmp_path / "map.cool"
    if case == "text_file":
        path.write_text("chrom\tstart\tend\n")
    elif case == "empty_file":
        path.write_bytes(b"")
    elif case == "truncated":
        data = _cool(tmp_path / "full.cool").read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif case == "hdf5_not_cooler":
        import h5py

        with h5py.File(path, "w") as store:
            store["x"] = [1, 2, 3]
    elif case == "corrupt_pixels":
        _corrupt_dataset(_cool(path), "pixels/count")
    elif case == "corrupt_bin_table":
        _corrupt_dataset(_cool(path), "bins/start")
    elif case == "missing":
        pass
    return path


COOL_ERRORS = [
    ("text_file", "not a cooler file or corrupt"),
    ("empty_file", "not a cooler file or corrupt"),
    ("truncated", "not a cooler file or corrupt"),
    ("hdf5_not_cooler", "not a cooler file or corrupt"),
    ("corrupt_pixels", "not a cooler file or corrupt"),
    ("corrupt_bin_table", "not a cooler file or corrupt"),
    ("missing", "Hi-C map not found"),
]


@pytest.mark.parametrize("case, message", COOL_ERRORS, ids=[c[0] for c in COOL_ERRORS])
def test_bad_experimental_cool(tmp_path, case, message):
    from hicmodels.hic.cool import ExperimentalMap

    path = _make_cool_case(tmp_path, case)

    def use():
        experimental = ExperimentalMap(path, {}, _reference())
        experimental.contact_scale(["chrI", "chrII"])
        experimental.window("chrI", 0, 4000, 4, 1.0)

    with pytest.raises(InputError, match=re.escape(f"{path}: {message}")):
        use()


@pytest.mark.parametrize("case", ["text_file", "corrupt_pixels"])
def test_bad_predicted_cool_for_zoomify_and_evaluate(tmp_path, case):
    from hicmodels.evaluation.scoring import evaluate
    from hicmodels.hic.cool import ExperimentalMap, zoomify

    path = _make_cool_case(tmp_path, case)
    with pytest.raises(InputError, match=re.escape(f"{path}: not a cooler file or corrupt")):
        zoomify(path, tmp_path / "out.mcool", [2000])
    assert not (tmp_path / "out.mcool").exists()
    assert not list(tmp_path.glob(".out.mcool*"))
    experimental = ExperimentalMap(_cool(tmp_path / "good.cool"), {}, _reference())
    settings = {"min_offset": 0, "scc_h": 1, "scc_max_offset": 2, "insulation_window": 1}
    with pytest.raises(InputError, match=re.escape(f"{path}: not a cooler file or corrupt")):
        evaluate(path, experimental, ["chrII"], ["chrI"], 3, 1.0, settings, "model")


def test_mcool_resolution_missing(tmp_path):
    from hicmodels.hic.cool import ExperimentalMap, zoomify

    zoomify(_cool(tmp_path / "map.cool"), tmp_path / "map.mcool", [2000])
    ExperimentalMap(f"{tmp_path / 'map.mcool'}::/resolutions/2000", {}, _reference())
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'map.mcool'}: not a cooler file or corrupt")):
        ExperimentalMap(f"{tmp_path / 'map.mcool'}::/resolutions/5000", {}, _reference())


def test_cool_without_weights_when_balanced_targets(tmp_path):
    from hicmodels.hic.cool import ExperimentalMap

    path = _cool(tmp_path / "map.cool", weight=False)
    with pytest.raises(InputError, match=re.escape(f"{path}: the cooler has no 'weight' column")):
        ExperimentalMap(path, {}, _reference())
    assert ExperimentalMap(path, {}, _reference(), balance=False).balance is False


def test_cool_chromosome_names_match_neither_fasta_nor_aliases(tmp_path):
    from hicmodels.evaluation.baselines import distance_decay
    from hicmodels.hic.cool import ExperimentalMap

    path = _cool(tmp_path / "map.cool", names=("yeast_1", "yeast_2"))
    message = ("chromosome names chrI, chrII of the FASTA not found in the cooler, which has yeast_1, yeast_2;"
               " add them to reference.chrom_aliases")
    with pytest.raises(InputError, match=re.escape(f"{path}: {message}")):
        ExperimentalMap(path, {}, _reference())
    # one name known through the alias table: the other is named where it is needed
    experimental = ExperimentalMap(path, {"yeast_1": "chrI"}, _reference())
    absent = ("chromosome name chrII of the FASTA not found in the cooler, which has yeast_1, yeast_2;"
              " add them to reference.chrom_aliases")
    with pytest.raises(InputError, match=re.escape(f"{path}: {absent}")):
        experimental.window("chrII", 0, 3000, 3, 1.0)
    with pytest.raises(InputError, match=re.escape(f"{path}: {absent}")):
        distance_decay(experimental, ["chrI", "chrII"], 3, 1.0)


# ---------------------------------------------------------------------------------------------
# checkpoints
# ---------------------------------------------------------------------------------------------

TINY_MODEL = {"architecture": "encoder_decoder", "channels": [5, 4, 8], "pools": [8, 8], "transformer_layers": 1,
              "heads": 2, "feedforward": 16, "dilations": [1, 2], "dropout": 0.0}


def _good_checkpoint(path, config=TINY_MODEL, **extra):
    import torch

    from hicmodels import models

    torch.manual_seed(0)
    state = models.build(config).state_dict()
    with open(path, "wb") as out:
        torch.save({"model_config": config, "state_dict": state, "contact_scale": 2.0, "bin_size": 64,
                    "window_size": 1024, "targets": "balanced", **extra}, out)
    return path


class _RunsCode:
    """Unpickling this would create a file: a checkpoint must never be able to."""

    marker = None

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _make_checkpoint_case(tmp_path, case):
    import pickle

    import torch

    path = tmp_path / "model.pt"
    if case == "missing":
        return path
    if case == "empty":
        path.write_bytes(b"")
    elif case == "truncated":
        data = _good_checkpoint(tmp_path / "good.pt").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif case == "corrupt_bytes":
        data = bytearray(_good_checkpoint(tmp_path / "good.pt").read_bytes())
        data[len(data) // 3 : len(data) // 3 + 64] = b"\0" * 64
        path.write_bytes(bytes(data))
    elif case == "text_file":
        path.write_text("model weights go here\n")
    elif case == "pickled_code":
        _RunsCode.marker = tmp_path / "pwned"
        torch.save({"state_dict": _RunsCode()}, path)
    elif case == "plain_pickle":
        path.write_bytes(pickle.dumps({"model_config": {"a": {1, 2}}}))
    elif case == "not_a_dict":
        torch.save([1, 2, 3], path)
    elif case == "lightning_checkpoint":
        torch.save({"epoch": 3, "state_dict": {}, "optimizer_states": [], "pytorch-lightning_version": "2.5"}, path)
    return path


CHECKPOINT_ERRORS = [
    ("missing", "checkpoint not found"),
    ("empty", "checkpoint is empty (0 bytes): truncated or corrupt"),
    ("truncated", "checkpoint is truncated or corrupt"),
    ("corrupt_bytes", "checkpoint is truncated or corrupt"),
    ("text_file", "checkpoint is truncated or corrupt"),
    ("pickled_code", "not a plain-weights checkpoint; refusing to unpickle it"),
    ("plain_pickle", "not a plain-weights checkpoint; refusing to unpickle it"),
    ("not_a_dict", "not a hicmodels checkpoint: it holds a list, not a dict"),
    ("lightning_checkpoint", "not a hicmodels checkpoint: missing model_config, contact_scale, bin_size, window_size"
                             " (a Lightning checkpoint? use the model.pt that training writes)"),
]


@pytest.mark.parametrize("case, message", CHECKPOINT_ERRORS, ids=[c[0] for c in CHECKPOINT_ERRORS])
def test_bad_checkpoint(tmp_path, case, message):
    from hicmodels.modelling.checkpoints import load_checkpoint

    path = _make_checkpoint_case(tmp_path, case)
    with pytest.raises(InputError, match=re.escape(f"{path}: {message}")) as caught:
        load_checkpoint(path)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "pwned").exists()


def _fasta_for_prediction(tmp_path):
    import pysam

    (tmp_path / "ref.fa").write_text(">chr1\n" + "ACGT" * 1000 + "\n")
    pysam.faidx(str(tmp_path / "ref.fa"))
    return tmp_path / "ref.fa"


def _windows(size):
    import pandas as pd

    return pd.DataFrame({"window_id": [f"chr1:0-{size}"], "chrom": "chr1", "start": [0], "end": [size],
                         "seq_chrom": "chr1", "seq_start": [0], "seq_end": [size], "status": ["ok"]})


def test_checkpoint_of_other_windows_is_refused_by_predict(tmp_path):
    from hicmodels.modelling.prediction import predict

    checkpoint = _good_checkpoint(tmp_path / "model.pt")
    fasta = _fasta_for_prediction(tmp_path)
    with pytest.raises(InputError, match=re.escape(f"{checkpoint}: checkpoint was trained on 1,024 bp windows of 64 bp"
                                                   " bins; this run uses 2,048 bp windows of 64 bp bins")):
        predict(checkpoint_path=checkpoint, fasta_path=fasta, windows=_windows(2048), out_path=tmp_path / "out.h5",
                settings={"batch_size": 8, "compile": False, "sampling_steps": None, "seed": 0, "samples": 1})
    assert not (tmp_path / "out.h5").exists()


def test_checkpoint_compatibility_names_the_presets(tmp_path):
    from hicmodels.modelling.checkpoints import check_compatible

    checkpoint = {"window_size": 4096, "bin_size": 128, "preset": "synthetic"}
    check_compatible(checkpoint, 4096, 128, "m.pt")
    with pytest.raises(InputError, match=re.escape(
            "m.pt: checkpoint was trained on 4,096 bp windows of 128 bp bins of preset synthetic; this run uses"
            " 200,000 bp windows of 10,000 bp bins of preset yeast")):
        check_compatible(checkpoint, 200_000, 10_000, "m.pt", preset="yeast")
    with pytest.raises(InputError, match="this run uses 4,096 bp windows of 64 bp bins"):
        check_compatible(checkpoint, 4096, 64, "m.pt")


def test_checkpoint_weights_of_another_model_are_refused(tmp_path):
    from hicmodels.modelling.prediction import predict

    other = dict(TINY_MODEL, channels=[5, 8, 8])
    checkpoint = _good_checkpoint(tmp_path / "model.pt", config=other)
    import torch

    data = torch.load(checkpoint, weights_only=True)
    data["model_config"] = TINY_MODEL  # weights of one architecture, config of another
    with open(checkpoint, "wb") as out:
        torch.save(data, out)
    with pytest.raises(InputError, match=re.escape(f"{checkpoint}: the weights do not fit the model its config"
                                                   " describes (Error(s) in loading state_dict")):
        predict(checkpoint_path=checkpoint, fasta_path=_fasta_for_prediction(tmp_path), windows=_windows(1024),
                out_path=tmp_path / "out.h5", settings={"batch_size": 8, "compile": False, "sampling_steps": None, "seed": 0, "samples": 1})


# ---------------------------------------------------------------------------------------------
# bigWig tracks
# ---------------------------------------------------------------------------------------------

def _bigwig(path, chroms=(("chrI", 4000), ("chrII", 3000)), value=1.0):
    import pyBigWig

    bw = pyBigWig.open(str(path), "w")
    bw.addHeader(list(chroms), maxZooms=0)
    for name, length in chroms:
        bw.addEntries(name, [0], values=[float(value)], span=length, step=length)
    bw.close()
    return path


def _make_bigwig_case(tmp_path, case):
    path = tmp_path / "ctcf.bw"
    if case == "text_file":
        path.write_text("chrI\t0\t100\t1.0\n")
    elif case == "empty_file":
        path.write_bytes(b"")
    elif case == "truncated":
        data = _bigwig(tmp_path / "full.bw").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif case == "negative_signal":
        _bigwig(path, value=-2.0)
    elif case == "chromosome_absent":
        _bigwig(path, chroms=(("chrI", 4000),))
    return path


BIGWIG_ERRORS = [
    ("missing", "bigWig not found"),
    ("text_file", "not a bigWig file or corrupt"),
    ("empty_file", "not a bigWig file or corrupt"),
    ("truncated", "not a bigWig file or corrupt"),
    ("negative_signal", "negative signal in chrI:0-4000; tracks must be >= 0"),
    ("chromosome_absent", "track 'ctcf' has no chromosomes ['chrII']"),
]


@pytest.mark.parametrize("case, message", BIGWIG_ERRORS, ids=[c[0] for c in BIGWIG_ERRORS])
def test_bad_bigwig(tmp_path, case, message):
    from hicmodels.modelling.tracks import TrackSet

    path = _make_bigwig_case(tmp_path, case)
    with pytest.raises(InputError, match=re.escape(f"{path}: {message}")):
        TrackSet.from_bigwigs({"ctcf": path}, ["ctcf"], ["chrI", "chrII"], 100)


def test_track_without_a_bigwig(tmp_path):
    from hicmodels.modelling.tracks import TrackSet, parse_tracks

    with pytest.raises(InputError, match=re.escape("the model reads tracks ['ctcf', 'atac']; no bigWig given for"
                                                   " ['atac']")):
        TrackSet.from_bigwigs({"ctcf": _bigwig(tmp_path / "c.bw")}, ["ctcf", "atac"], ["chrI"], 100)
    with pytest.raises(InputError, match=re.escape("track 'ctcf' is not NAME=PATH")):
        parse_tracks(["ctcf"])


# ---------------------------------------------------------------------------------------------
# sample sheet and alignments
# ---------------------------------------------------------------------------------------------

def _sample_schema():
    from pathlib import Path

    from hicmodels.config import read_yaml

    return read_yaml(Path(__file__).parents[2] / "workflow" / "schemas" / "samples.schema.yaml")


SHEET_ERRORS = [
    ("empty", b"", "sample sheet is empty: it needs a header line and one row per sample"),
    ("header_only", b"sample\tvcf\n", "sample sheet has a header but no sample rows"),
    ("binary", b"\x1f\x8b\x08\x00\xff\xfe\x00\x00binary", "sample sheet is not tab-separated text"),
    ("extra_fields", b"sample\tvcf\nx\ta.vcf.gz\textra\tmore\n",
     "samples.tsv:2: 4 tab-separated fields, the header has 2"),
    ("unknown_column", b"sample\tfastq\nx\tr1.fq.gz\n", "unknown column(s) ['fastq']"),
    ("no_input", b"sample\tvcf\nx\t\n", "give exactly one input"),
    ("missing_file", b"sample\tvcf\nx\tmissing.vcf.gz\n", "column 'vcf': file not found"),
]


@pytest.mark.parametrize("case, data, message", SHEET_ERRORS, ids=[c[0] for c in SHEET_ERRORS])
def test_bad_sample_sheet(tmp_path, case, data, message):
    from hicmodels.config import read_samples

    path = tmp_path / "samples.tsv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        read_samples(str(path), _sample_schema())
    assert str(caught.value).startswith(str(path))


def _sheet_with_bam(tmp_path, bam_path):
    path = tmp_path / "samples.tsv"
    path.write_text(f"sample\tbam\nx\t{bam_path}\n")
    return str(path)


def _bam(path, index=True):
    import pysam

    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "chrI", "LN": 1000}],
              "RG": [{"ID": "rg", "SM": "x"}]}
    with pysam.AlignmentFile(str(path), "wb", header=header):
        pass
    if index:
        pysam.index(str(path))
    return path


@pytest.mark.parametrize("case, message", [
    ("text_as_bam", "column 'bam': "),
    ("truncated_bam", "column 'bam': "),
    ("wrong_extension", "column 'bam': "),
    ("no_index", "no index found"),
])
def test_bad_bam(tmp_path, case, message):
    from hicmodels.config import read_samples

    path = tmp_path / "a.bam"
    if case == "text_as_bam":
        path.write_text("@HD\tVN:1.6\n")
        (tmp_path / "a.bam.bai").write_bytes(b"")
    elif case == "truncated_bam":
        data = _bam(tmp_path / "full.bam").read_bytes()
        path.write_bytes(data[:20])
        (tmp_path / "a.bam.bai").write_bytes((tmp_path / "full.bam.bai").read_bytes())
    elif case == "wrong_extension":
        path = _bam(tmp_path / "a.sam")
    elif case == "no_index":
        _bam(path, index=False)
    sheet = _sheet_with_bam(tmp_path, path)
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        read_samples(sheet, _sample_schema())
    assert str(caught.value).startswith(f"{sheet}:2: ") and str(path) in str(caught.value)


@pytest.mark.parametrize("case", ["truncated", "empty", "text_file"])
def test_corrupt_resume_state(tmp_path, case):
    from hicmodels.modelling.training import _resume_point

    work = tmp_path / "model.pt.lightning"
    work.mkdir()
    good = _good_checkpoint(tmp_path / "good.pt", epoch=2)
    data = {"truncated": good.read_bytes()[:300], "empty": b"", "text_file": b"last epoch\n"}[case]
    (work / "last.ckpt").write_bytes(data)
    message = f"resume state in {work} is corrupt"
    with pytest.raises(InputError, match=re.escape(f"{work / 'last.ckpt'}: {message}")) as caught:
        _resume_point(work / "last.ckpt", work)
    assert str(caught.value).endswith("; delete it or set training.resume: false")
    assert _resume_point(good, work) == 3


# ---------------------------------------------------------------------------------------------
# faults: leftovers of killed runs, disk full
# ---------------------------------------------------------------------------------------------

def test_killed_write_leaves_a_temporary_that_the_next_write_removes(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    import pandas as pd

    from hicmodels.files import write_tsv

    target = tmp_path / "out" / "table.tsv"
    code = ("import sys, time; from hicmodels.files import atomic_output\n"
            "with atomic_output(sys.argv[1]) as tmp:\n"
            "    open(tmp, 'w').write('half')\n"
            "    time.sleep(600)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[2] / "src"),
                                                        os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-c", code, str(target)], env=env)
    deadline = time.monotonic() + 60
    while not list(target.parent.glob(".table.tsv.*.tmp.tsv")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    leftovers = list(target.parent.glob(".table.tsv.*"))
    assert len(leftovers) == 1 and not target.exists()
    write_tsv(pd.DataFrame({"a": [1]}), target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["table.tsv"]


def test_zoomify_removes_the_temporaries_of_a_killed_zoomify(tmp_path):
    from hicmodels.hic.cool import write_cool, zoomify

    import numpy as np
    import pandas as pd

    maps = tmp_path / "maps"
    sizes = pd.Series({"chrI": 4000})
    rows, cols = np.triu_indices(4)
    write_cool(maps / "g.cool", sizes, 1000, {"chrI": (rows, cols, np.ones(len(rows)))}, {"chrI": np.ones(4, bool)})
    stale = [maps / ".g.mcool.k3j_x9a1.tmp.mcool", maps / ".g.mcool.0aB4zz7q.tmp.mcool"]
    stale[0].write_bytes(b"\x89HDF half")
    stale[1].mkdir()
    (stale[1] / "part").write_text("x")
    kept = [maps / ".g.mcool.fai.k3j_x9a1.tmp", maps / "notes.tmp", maps / ".g.cool.k3j_x9a1.tmp.cool"]
    for path in kept:
        path.write_text("someone else's")
    zoomify(maps / "g.cool", maps / "g.mcool", [2000])
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)
    # the .cool's own leftovers (and cooler's scratch folder) go when the .cool is written again
    (maps / ".g.cool.abcdefgh.tmp.cool.parts").mkdir()
    write_cool(maps / "g.cool", sizes, 1000, {"chrI": (rows, cols, np.ones(len(rows)))}, {"chrI": np.ones(4, bool)})
    assert sorted(p.name for p in maps.iterdir()) == sorted(["g.cool", "g.mcool", ".g.mcool.fai.k3j_x9a1.tmp",
                                                             "notes.tmp"])


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _write_then_fail(real):
    """A writer that writes part of its output, then finds the disk full."""
    def write(*args, **kwargs):
        real(*args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")
    return write


def _fault_table(tmp_path, monkeypatch):
    import pandas as pd

    from hicmodels.files import write_tsv

    monkeypatch.setattr(pd.DataFrame, "to_csv", _write_then_fail(pd.DataFrame.to_csv))
    target = tmp_path / "rejects.tsv"
    write_tsv(pd.DataFrame({"a": range(100)}), target)
    return target


def _fault_checkpoint(tmp_path, monkeypatch):
    import torch

    from hicmodels.modelling import training

    monkeypatch.setattr(torch, "save", _write_then_fail(torch.save))
    target = tmp_path / "model.pt"
    checkpoint = {"model_config": {}, "state_dict": {}, "contact_scale": 1.0, "bin_size": 1, "window_size": 1,
                  "epoch": 1, "validation_loss": 0.5}
    training._save(checkpoint, target, [], tmp_path / "log.tsv", tmp_path / "work")
    return target


def _fault_cool(tmp_path, monkeypatch):
    import cooler
    import numpy as np
    import pandas as pd

    from hicmodels.hic.cool import write_cool

    monkeypatch.setattr(cooler, "create_cooler", _write_then_fail(cooler.create_cooler))
    target = tmp_path / "map.cool"
    rows, cols = np.triu_indices(4)
    write_cool(target, pd.Series({"chrI": 4000}), 1000, {"chrI": (rows, cols, np.ones(len(rows)))},
               {"chrI": np.ones(4, bool)})
    return target


def _fault_fasta(tmp_path, monkeypatch):
    from hicmodels.genome import fasta

    (tmp_path / "in.fa").write_text(">chrA\n" + "ACGT" * 5000 + "\n>chrB\nACGT\n")
    calls = []
    real = fasta._FastaSink.write

    def write(self, name, seq):
        calls.append(name)
        if len(calls) == 2:
            _disk_full()
        return real(self, name, seq)

    monkeypatch.setattr(fasta._FastaSink, "write", write)
    target = tmp_path / "genome.fa.gz"
    fasta.write_bgzip_fasta(tmp_path / "in.fa", target)
    return target


def _fault_rename(tmp_path, monkeypatch):
    import os

    import pandas as pd

    from hicmodels.files import write_tsv

    monkeypatch.setattr(os, "replace", _disk_full)
    target = tmp_path / "windows.tsv"
    write_tsv(pd.DataFrame({"a": [1]}), target)
    return target


@pytest.mark.parametrize("write", [_fault_table, _fault_checkpoint, _fault_cool, _fault_fasta, _fault_rename],
                         ids=["tsv", "checkpoint", "cool", "bgzip_fasta", "rename"])
def test_disk_full_leaves_nothing_that_looks_complete(tmp_path, monkeypatch, write):
    from hicmodels.errors import OutputError

    with pytest.raises(OutputError, match="no space left on the device") as caught:
        write(tmp_path, monkeypatch)
    monkeypatch.undo()
    assert "\n" not in str(caught.value) and str(tmp_path) in str(caught.value)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "in.fa"]
    assert leftovers == [], leftovers


# ---------------------------------------------------------------------------------------------
# config
# ---------------------------------------------------------------------------------------------

YAML_ERRORS = [
    ("missing", None, "YAML file not found"),
    ("bad_indent", "reference:\n  fasta: a.fa\n bad: 1\n", "config.yaml:3: not valid YAML"),
    ("unclosed_bracket", "windows: {preset: yeast\n", "not valid YAML"),
    ("tab_indent", "variants:\n\tiupac: error\n", "config.yaml:2: not valid YAML"),
    ("binary", b"\xff\xfe\x00\x01", "not a text file (YAML expected)"),
]


@pytest.mark.parametrize("case, text, message", YAML_ERRORS, ids=[c[0] for c in YAML_ERRORS])
def test_bad_yaml(tmp_path, case, text, message):
    from hicmodels.config import read_yaml

    path = tmp_path / "config.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text)
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        read_yaml(path)
    assert str(caught.value).startswith(str(path))


def _config():
    from pathlib import Path

    from hicmodels.config import read_yaml

    return read_yaml(Path(__file__).parents[2] / "config" / "config.yaml")


@pytest.mark.parametrize("key, value, message", [
    ("iupac", "maybe", "'maybe' is not one of ['error', 'skip', 'to_n']"),
    ("sv_length_conflict", "guess", "'guess' is not one of ['error', 'skip']"),
])
def test_config_policy_values_checked_by_schema_and_library(key, value, message):
    from hicmodels.config import resolve_config, variant_policy

    config = _config()
    assert variant_policy(config) == Policy.from_config({})  # the shipped config states the schema's defaults
    config["variants"][key] = value
    with pytest.raises(InputError, match=re.escape(f"config variants.{key}: {message}")):
        resolve_config(config)
    with pytest.raises(ValueError, match=re.escape(f"policy {key}={value!r}: choose one of")):
        Policy(**{**vars(Policy.from_config({})), key: value})


def test_config_max_n_fraction_checked_by_schema():
    from hicmodels.config import resolve_config

    config = _config()
    assert config["reference"]["exclude"]["max_n_fraction"] == 0.1
    config["reference"]["exclude"]["max_n_fraction"] = 1.5
    with pytest.raises(InputError, match="config reference.exclude.max_n_fraction: 1.5 is greater than the maximum of 1"):
        resolve_config(config)


# ---------------------------------------------------------------------------------------------
# intermediate files: window tables, predictions
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    (None, "window table not found"),
    (b"", "window table is empty (0 bytes)"),
    (b"window_id\tchrom\nx\tchrI\n", "not a window table, missing columns"),
    (b"\x89HDF\r\n\x1a\n\x00\x00\xff\xfe", "not a window table"),
], ids=["missing", "empty", "missing_columns", "binary"])
def test_bad_window_table(tmp_path, data, message):
    from hicmodels.genome.windows import read_windows

    path = tmp_path / "windows.tsv"
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(InputError, match=re.escape(f"{path}: {message}")):
        read_windows(path)


@pytest.mark.parametrize("case, message", [
    ("missing", "predictions file not found"),
    ("text_file", "not a predictions file or corrupt"),
    ("truncated", "not a predictions file or corrupt"),
    ("no_maps", "not a predictions file or corrupt"),
])
def test_bad_predictions_file(tmp_path, case, message):
    import h5py
    import numpy as np

    from hicmodels.modelling.store import read_predictions

    path = tmp_path / "pred.h5"
    if case == "text_file":
        path.write_text("maps\n")
    elif case in ("truncated", "no_maps"):
        with h5py.File(tmp_path / "full.h5", "w") as store:
            store["window_id"] = np.array([b"chrI:0-1000"])
            if case == "truncated":
                store["maps"] = np.ones((1, 64, 64), np.float32)
        data = (tmp_path / "full.h5").read_bytes()
        path.write_bytes(data[: len(data) // 2] if case == "truncated" else data)
    with pytest.raises(InputError, match=re.escape(f"{path}: {message}")):
        read_predictions(path)


def test_pool_folds_refuses_a_table_that_is_not_a_metrics_table(tmp_path, capsys):
    from hicmodels.cli import main

    good, bad = tmp_path / "fold0.tsv", tmp_path / "fold1.tsv"
    good.write_text("predictor\tchrom\tscc\nyeast\tchrA\t0.5\n")
    bad.write_text("chrom\tstart\tend\nchrA\t0\t10\n")
    argv = ["evaluation", "pool-folds", "--fold", "0", "chrB", str(good), "--fold", "1", "chrA", str(bad),
            "--out", str(tmp_path / "folds.tsv"), "--pooled", str(tmp_path / "pooled.tsv")]
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == f"error: {bad}: not a metrics table (no 'predictor' column)"
    assert not (tmp_path / "folds.tsv").exists()


# ---------------------------------------------------------------------------------------------
# Epigenome stage: a track's BAM, track stores, the Hi-C targets' cooler and balancing
# ---------------------------------------------------------------------------------------------

def _track_bam(path, contigs=(("chrI", 1000),), order="coordinate"):
    import pysam

    header = {"HD": {"VN": "1.6", "SO": order}, "SQ": [{"SN": n, "LN": length} for n, length in contigs]}
    with pysam.AlignmentFile(str(path), "wb", header=header):
        pass
    return str(path)


TRACK_BAM_ERRORS = [
    ("missing", "BAM not found"),
    ("text_file", "not a BAM file or corrupt"),
    ("unsorted", "header @HD SO is 'unsorted', not 'coordinate'"),
    ("other_assembly", "contig 'chrI' is 999 bp, reference 'chrI' is 1000 bp"),
    ("no_modelled_chromosome", "none of the reference chromosomes ['chrI']"),
]


@pytest.mark.parametrize("case, message", TRACK_BAM_ERRORS, ids=[c[0] for c in TRACK_BAM_ERRORS])
def test_bad_track_bam(tmp_path, case, message):
    import pandas as pd

    from hicmodels.epigenome.coverage import check_bam

    path = tmp_path / "atac.bam"
    if case == "text_file":
        path.write_text("@HD\tVN:1.6\n")
    elif case == "unsorted":
        _track_bam(path, order="unsorted")
    elif case == "other_assembly":
        _track_bam(path, contigs=(("chrI", 999),))
    elif case == "no_modelled_chromosome":
        _track_bam(path, contigs=(("chrM", 85779),))
    with pytest.raises(InputError, match=re.escape(f"{path}: {message}")):
        check_bam(str(path), pd.Series({"chrI": 1000, "chrM": 85779}), {}, ["chrI"])


@pytest.mark.parametrize("case, message", [("missing", "track store not found"),
                                           ("text_file", "not a track store or corrupt"),
                                           ("other_hdf5", "not a track store (format None")])
def test_bad_track_store(tmp_path, case, message):
    import h5py

    from hicmodels.epigenome import open_track_store

    path = tmp_path / "reference.h5"
    if case == "text_file":
        path.write_text("tracks")
    elif case == "other_hdf5":
        with h5py.File(path, "w") as store:
            store["maps"] = [1.0]
    with pytest.raises(InputError, match=re.escape(f"{path}: {message}")):
        open_track_store(path)


@pytest.mark.parametrize("case, message", [
    ("kr_balance", "KR balancing is offered by neither cooler nor cooltools"),
    ("other_resolution", "bins of 10000 bp; the Hi-C targets need 5000 bp"),
])
def test_hic_targets_refused(case, message):
    from conftest import YEAST
    from hicmodels.epigenome.targets import hic_targets

    settings = {"resolution": 10000, "window_bins": 5, "max_offset": 0, "balance": "ice", "min_nonzero_fraction": 0.1}
    settings |= {"balance": "kr"} if case == "kr_balance" else {"resolution": 5000}
    with pytest.raises(InputError, match=re.escape(message)):
        hic_targets(str(YEAST / "yeast.10kb.cool"), ["chrI"], {}, settings)


@pytest.mark.parametrize("case, text, message", [
    ("five_fields", "chr1\t0\t5000\tchr1\t50000\n", "loops.bedpe:1: not a BEDPE row (chrom1 start1 end1 chrom2 "
                                                     "start2 end2): 5 fields"),
    ("not_integer", "chr1\t0\t5000\tchr1\t5e4\t55000\n", "loops.bedpe:1: not a BEDPE row"),
])
def test_bad_loops_bedpe(tmp_path, capsys, case, text, message):
    import pysam

    from hicmodels.cli import main

    (tmp_path / "loops.bedpe").write_text(text)
    (tmp_path / "genome.fa").write_text(">chr1\n" + "A" * 100_000 + "\n")
    pysam.faidx(str(tmp_path / "genome.fa"))
    assert main(["multimodal", "loop-labels", "--bedpe", str(tmp_path / "loops.bedpe"), "--fasta",
                 str(tmp_path / "genome.fa"),
                 "--config", '{"resolution": 5000, "seed": 0, "chromosomes": ["chr1"], "test": [], "validation": []}',
                 "--out", str(tmp_path / "labels.tsv")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and not (tmp_path / "labels.tsv").exists()

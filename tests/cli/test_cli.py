import json

import pytest

from hicmodels.cli import main


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    chain = tmp_path / "broken.chain"
    chain.write_text("10 0 0\n")
    windows = tmp_path / "w.tsv"
    windows.write_text("x\n")
    code = main(["genome", "lift-windows", "--windows", str(windows), "--chain", str(chain), "--fasta", "hap.fa",
                 "--out", str(tmp_path / "o.tsv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == f"error: {chain}:1: block line outside a chain"
    assert not (tmp_path / "o.tsv").exists()


def test_personal_genome_command_writes_the_sample_directory_and_applies_policies(tmp_path, capsys):
    from variant_helpers import INFO_HEADER, read_fasta, write_fasta, write_vcf

    seqs = {"chrA": "GATTACACCTGAAGTCCGTA"}
    ref = write_fasta(tmp_path / "ref.fa", seqs)
    rows = [("chrA", 3, "a", "T", "C", "q10", ".", "0/1"), ("chrA", 8, "b", "C", "G", "PASS", ".", "1|1")]
    vcf = write_vcf(tmp_path / "in.vcf", seqs, rows, header=INFO_HEADER + ['##FILTER=<ID=q10,Description="q">'])
    out = tmp_path / "personal" / "S1"
    args = ["variants", "personal-genome", "--fasta", str(ref), "--vcf", vcf, "--sample", "S1", "--out-dir", str(out)]
    assert main(args + ["--config", json.dumps({"filters": ["PASS", "q10"], "unphased": "both"})]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "hap1.chain", "hap1.fa.gz", "hap1.fa.gz.fai", "hap1.fa.gz.gzi",
        "hap2.chain", "hap2.fa.gz", "hap2.fa.gz.fai", "hap2.fa.gz.gzi", "rejects.tsv", "summary.tsv",
    ]
    assert read_fasta(out / "hap1.fa.gz") == read_fasta(out / "hap2.fa.gz") == {"chrA": "GACTACAGCTGAAGTCCGTA"}
    assert main(args) == 0  # defaults: FILTER q10 is rejected
    assert (out / "rejects.tsv").read_text().count("\tfilter\t") == 1  # on haplotype 1, where hap1 places 0/1
    figure = tmp_path / "summary.png"
    assert main(["variants", "plot-summary", "--summary", str(out / "summary.tsv"), "--sample", "S1", "--out", str(figure)]) == 0
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows[1] = ("chrA", 8, "b", "G", "T", "PASS", ".", "1|1")
    vcf = write_vcf(tmp_path / "bad.vcf", seqs, rows, header=INFO_HEADER + ['##FILTER=<ID=q10,Description="q">'])
    capsys.readouterr()
    assert main(["variants", "personal-genome", "--fasta", str(ref), "--vcf", vcf, "--sample", "S1", "--out-dir", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"error: {vcf}: chrA:8 b: REF 'G' does not match the reference 'C' at chrA:8")
    assert not (tmp_path / "x").exists()


def test_settings_are_checked_against_the_schema(tmp_path, capsys):
    """--config is completed with the schema's defaults and checked; a bad value is one line naming the key."""
    args = ["variants", "personal-genome", "--fasta", "r.fa", "--vcf", "v.vcf.gz", "--sample", "S1",
            "--out-dir", str(tmp_path / "o")]
    assert main(args + ["--config", json.dumps({"overlap": "merge"})]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "error: --config overlap: 'merge' is not one of ['skip', 'error']")
    assert main(args + ["--config", "{overlap"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("error: --config is not JSON:")
    assert not (tmp_path / "o").exists()


def test_verbose_input_errors_carry_their_traceback(tmp_path, capsys):
    chain = tmp_path / "broken.chain"
    chain.write_text("10 0 0\n")
    argv = ["genome", "lift-windows", "--windows", str(chain), "--chain", str(chain), "--fasta", "hap.fa",
            "--out", str(tmp_path / "o")]
    assert main(argv) == 2 and "Traceback" not in capsys.readouterr().err
    assert main(["--verbose", *argv]) == 2 and "Traceback" in capsys.readouterr().err


def _commands():
    from hicmodels.cli import build_parser

    for stage_action in build_parser()._subparsers._group_actions:
        for stage, stage_parser in stage_action.choices.items():
            for command_action in stage_parser._subparsers._group_actions:
                yield from ((stage, name, parser) for name, parser in command_action.choices.items())


def test_every_option_of_every_command_has_help_and_settings_show_their_defaults():
    commands = list(_commands())
    assert len(commands) >= 20
    for stage, name, parser in commands:
        undocumented = [a.option_strings[0] for a in parser._actions if a.option_strings and not a.help]
        assert undocumented == [], (stage, name)
    help_text = dict(((s, n), p) for s, n, p in commands)[("variants", "personal-genome")].format_help()
    assert '"unphased": "hap1"' in " ".join(help_text.split())  # the schema's default, shown


def test_version_and_missing_files_are_one_line(tmp_path, capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"hicmodels {version('hicmodels')}"
    missing = tmp_path / "missing.cool"
    settings = json.dumps({"bin_size": 10, "resolutions": [10]})
    assert main(["hic", "zoomify", "--cool", str(missing), "--out", str(tmp_path / "o.mcool"), "--config", settings]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and str(missing) in err[0]
    windows = json.dumps({"windows": {"size": 10, "step": 10, "bins": 1}, "chromosomes": ["a"], "test": [],
                          "validation": []})
    assert main(["genome", "windows", "--fasta", str(tmp_path / "no.fa"), "--excluded", str(tmp_path / "no.bed"),
                 "--out", str(tmp_path / "w.tsv"), "--config", windows]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: {tmp_path / 'no.fa'}: cannot read the indexed FASTA: file `{tmp_path / 'no.fa'}` not found"]

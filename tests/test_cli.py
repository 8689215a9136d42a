from hicmodels.cli import main


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    chain = tmp_path / "broken.chain"
    chain.write_text("10 0 0\n")
    windows = tmp_path / "w.tsv"
    windows.write_text("x\n")
    code = main(["lift-windows", "--windows", str(windows), "--chain", str(chain), "--out", str(tmp_path / "o.tsv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == f"error: {chain}:1: block line outside a chain"
    assert not (tmp_path / "o.tsv").exists()

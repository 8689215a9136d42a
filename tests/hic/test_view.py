"""The HiGlass view of a genome's maps: built from two small .mcool files, no server and no browser."""

import json
import subprocess
import sys

import higlass as hg
import numpy as np
import pandas as pd
import pytest

from hicmodels.hic.cool import write_cool, zoomify
from hicmodels.hic.view import CHROMSIZES_UID, ingest_commands, map_view, write_chromsizes


@pytest.fixture
def maps(tmp_path):
    sizes = pd.Series({"a": 400, "b": 300})
    paths = {}
    for name, scale in (("reference", 1.0), ("sim.hap1", 2.0)):
        pixels, valid = {}, {}
        for chrom, length in sizes.items():
            rows, cols = np.triu_indices(length // 10)
            pixels[chrom] = (rows, cols, scale / (1 + cols - rows))
            valid[chrom] = np.ones(length // 10, bool)
        write_cool(tmp_path / f"{name}.cool", sizes, 10, pixels, valid, {"model": "m"}, assembly="toy1")
        paths[name] = tmp_path / f"{name}.mcool"
        zoomify(tmp_path / f"{name}.cool", paths[name], [10, 20])
    return paths


def dump(conf):
    return json.loads(conf.model_dump_json(exclude_none=True))


def test_side_by_side_synchronised_with_chromosome_axes(maps, tmp_path):
    sizes = write_chromsizes(maps["reference"], tmp_path / "sizes.tsv")
    assert sizes.read_text() == "a\t400\nb\t300\n"
    view = map_view(maps, sizes)
    conf = dump(view.conf)
    views = conf["views"]
    assert [(v["layout"]["x"], v["layout"]["w"]) for v in views] == [(0, 6), (6, 6)]
    for v, (name, path) in zip(views, maps.items()):
        tracks = v["tracks"]
        assert [t["type"] for t in tracks["top"]] == ["horizontal-chromosome-labels"]
        assert [t["type"] for t in tracks["left"]] == ["vertical-chromosome-labels"]
        (heatmap,) = tracks["center"]
        assert heatmap["type"] == "heatmap" and heatmap["options"]["name"] == name
        assert view.files[heatmap["tilesetUid"]] == str(path)
        assert view.files[tracks["top"][0]["tilesetUid"]] == view.files[tracks["left"][0]["tilesetUid"]] == str(sizes)
        assert {t["server"] for t in (heatmap, tracks["top"][0])} == {"jupyter"}  # served by the widget
    uids = [v["uid"] for v in views]
    for locks in ("zoomLocks", "locationLocks"):  # one lock holds both views
        by_view = conf[locks]["locksByViewUid"]
        assert set(by_view) == set(uids) and len(set(by_view.values())) == 1
    scale = conf["valueScaleLocks"]["locksByViewUid"]
    assert set(scale) == {f"{v['uid']}.{v['tracks']['center'][0]['uid']}" for v in views}
    assert len(set(scale.values())) == 1
    # the local tilesets answer as HiGlass asks them (clodius reads the files)
    infos = [t.info() for t in view.tilesets]
    assert any(i.get("max_pos") == [700, 700] for i in infos)
    hg.Viewconf.model_validate(conf)


def test_server_tilesets_and_the_command(maps, tmp_path):
    sizes = write_chromsizes(maps["reference"], tmp_path / "sizes.tsv")
    view = map_view(maps, sizes, server="http://hg:8989/api/v1")
    tracks = [t for v in dump(view.conf)["views"] for pos in ("top", "center") for t in v["tracks"][pos]]
    assert [t["tilesetUid"] for t in tracks] == [CHROMSIZES_UID, "reference", CHROMSIZES_UID, "sim.hap1"]
    assert {t["server"] for t in tracks} == {"http://hg:8989/api/v1"}
    assert view.files == {CHROMSIZES_UID: str(sizes), **{k: str(v) for k, v in maps.items()}}
    assert ingest_commands(maps, sizes)[1] == f"higlass-manage ingest {maps['reference']} --uid reference"

    out = tmp_path / "views" / "sim.json"
    result = subprocess.run([sys.executable, "-m", "hicmodels", "hic", "view", "--map",
                             *(f"{k}={v}" for k, v in maps.items()), "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    conf = hg.Viewconf.model_validate_json(out.read_text())
    assert len(conf.views) == 2 and conf.zoomLocks is not None and conf.valueScaleLocks is not None
    assert (tmp_path / "views" / "sim.chrom.sizes").read_text() == "a\t400\nb\t300\n"
    assert "higlass-manage ingest" in result.stderr
    result = subprocess.run([sys.executable, "-m", "hicmodels", "hic", "view", "--map", "x=missing.mcool", "--out",
                             str(out)], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.strip() == "error: missing.mcool: no such file"

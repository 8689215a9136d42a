"""Random edits that nest and abut, on chromosomes of any length (off any bin grid).

The generator places, left to right, small edits (SNV, MNV, insertion, deletion, complex, ``<DEL>``,
``<INS>``) and inversions or tandem duplications that hold small edits of their own, with gaps of zero
(abutting) or more bases, from the first base of the chromosome to the last; an inversion or a duplication
may be followed by a duplication that starts at its end (a shared boundary). Every record must apply.

Properties, per haplotype:

* the sequence equals an oracle that applies the small edits to reference cells and then the inversions and
  duplications, right to left, in reference coordinates;
* the chain round trip: every reference base lifts to each personal copy and back to itself; every
  personal base has at most one origin; the lifted base is the reference base (or its complement on
  inverted blocks) except where an SNV/MNV changed it; the chain file written from the blocks read back
  is the same file; personal bases without origin are exactly the inserted ones;
* windows carried into the haplotype (first and last window included) lie inside the personal chromosome;
* window maps of ones stitched back onto the reference bin grid (the chromosome length being any multiple
  of the bin size or not) are ones wherever predicted, on ``ceil(length / binsize)`` bins.
"""

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from hicmodels.hic.assemble import stitch_windows
from hicmodels.genome.liftover import mark_copies, novel_personal, read_chain, write_chain
from hicmodels.genome.windows import haplotype_windows, reference_windows
from hicmodels.variants.layout import Layout, Step, Walk
from hicmodels.variants.sequences import piece_content, piece_sequences, walk_sequence
from variant_helpers import build, chain_check

COMPLEMENT = str.maketrans("ACGT", "TGCA")
SMALL = ["snv", "mnv", "ins", "del", "complex", "sv_del", "sv_ins"]
WINDOW, STEP, BINSIZE = 12, 5, 4
# HYPOTHESIS_NO_SHRINK=1 (set by `make mutation`): report the first failing case as drawn; shrinking it can take
# minutes, which mutation testing, needing only pass or fail, cannot afford
PHASES = [p for p in Phase if not (p is Phase.shrink and os.environ.get("HYPOTHESIS_NO_SHRINK"))]


def revcomp(seq):
    return seq.translate(COMPLEMENT)[::-1]


@st.composite
def small_edit(draw, seq, q, limit):
    """A small edit anchored at ``q`` whose REF span ends at or before ``limit``; None if none fits."""
    kind = draw(st.sampled_from(SMALL))
    size = draw(st.integers(1, 4))
    bases = st.text(alphabet="ACGT", min_size=1, max_size=5)
    width = {"snv": 1, "ins": 1, "sv_ins": 1, "mnv": size, "complex": size, "del": size + 1,
             "sv_del": size + 1}[kind]
    if q + width > limit:
        return None
    ref, info, alt, inserted = seq[q : q + width], ".", None, ""
    if kind == "snv":
        alt = draw(st.sampled_from([b for b in "ACGT" if b != ref]))
    elif kind == "mnv":
        alt = "".join(draw(st.sampled_from([b for b in "ACGT" if b != r])) for r in ref)
    elif kind == "ins":
        inserted = draw(bases)
        alt = ref + inserted
    elif kind == "del":
        alt = ref[0]
    elif kind == "complex":
        alt = draw(bases.filter(lambda a: len(a) != len(ref) and a[0] != ref[0] and a[-1] != ref[-1]))
    elif kind == "sv_ins":
        inserted = draw(bases)
        alt, info = "<INS>", f"SVTYPE=INS;SVINSSEQ={inserted}"
    else:
        alt, info, ref = "<DEL>", f"SVTYPE=DEL;END={q + width}", ref[0]
    gt = draw(st.sampled_from(["1|0", "0|1", "1|1"]))
    return {"kind": kind, "q": q, "ref": ref, "alt": alt, "info": info, "gt": gt, "end": q + width,
            "inserted": inserted}


@st.composite
def nested_cases(draw):
    """A sequence and records whose small edits may nest in, or abut, inversions and duplications."""
    n = draw(st.integers(14, 70))
    seq = draw(st.text(alphabet="ACGT", min_size=n, max_size=n))
    small, containers = [], []
    p = draw(st.integers(0, 2))
    shared_next = False
    while p < n:
        if shared_next or draw(st.booleans()):
            # an inversion or duplication: anchor p, range [p + 1, e)
            kind = "sv_dup" if shared_next else draw(st.sampled_from(["sv_inv", "sv_dup"]))
            e = p + 1 + draw(st.integers(2, 12))
            if e > n:
                break
            gt = draw(st.sampled_from(["1|0", "0|1", "1|1"]))
            containers.append({"kind": kind, "q": p, "ref": seq[p], "gt": gt, "end": e})
            # nested small edits: REF spans inside [p + 1, e), insertions not at the range's edges
            q = p + 1 + draw(st.integers(0, 2))
            while q < e:
                edit = draw(small_edit(seq, q, e))
                if edit is None:
                    break
                if edit["kind"] in ("ins", "sv_ins") and q + 1 >= e:
                    break
                small.append(edit)
                q = edit["end"] + draw(st.integers(0, 3))
            # the next record: a duplication sharing the boundary e (anchor e - 1), or after a gap
            shared_next = draw(st.integers(0, 2)) == 0
            p = e - 1 if shared_next else e + draw(st.integers(0, 3))
        else:
            edit = draw(small_edit(seq, p, n))
            if edit is None:
                break
            small.append(edit)
            p = edit["end"] + draw(st.integers(0, 3))
    return seq, small, containers


def carried(event, hap):
    return event["gt"].split("|")[hap - 1] == "1"


def oracle(seq, small, containers, hap):
    """Small edits on reference cells, then inversions and duplications right to left."""
    cells = list(seq)
    for e in small:
        if not carried(e, hap):
            continue
        q = e["q"]
        if e["kind"] == "sv_del":
            for i in range(q + 1, e["end"]):
                cells[i] = ""
        elif e["kind"] == "sv_ins":
            cells[q] += e["inserted"]
        else:
            cells[q] = e["alt"]
            for i in range(q + 1, q + len(e["ref"])):
                cells[i] = ""
    for c in sorted((c for c in containers if carried(c, hap)), key=lambda c: -c["q"]):
        a, b = c["q"] + 1, c["end"]
        piece = "".join(cells[a:b])
        if c["kind"] == "sv_inv":
            cells[a:b] = [revcomp(piece)] + [""] * (b - a - 1)
        else:
            cells[b - 1] += piece
    return "".join(cells)


def substituted(small, hap):
    changed = set()
    for e in small:
        if e["kind"] in ("snv", "mnv") and carried(e, hap):
            changed |= {e["q"] + i for i, (r, a) in enumerate(zip(e["ref"], e["alt"])) if r != a}
    return changed


def inserted_bases(small, containers, hap):
    """Personal bases with no reference origin: inserted bases (in every copy of a duplicated range) and the
    new bases of complex replacements."""
    total = 0
    for e in small:
        if not carried(e, hap):
            continue
        if e["kind"] in ("ins", "sv_ins"):
            extra = len(e["inserted"])
        elif e["kind"] == "complex":
            extra = len(e["alt"])
        else:
            continue
        copies = 1 + sum(1 for c in containers if c["kind"] == "sv_dup" and carried(c, hap)
                         and c["q"] + 1 <= e["q"] < c["end"])
        total += extra * copies
    return total


def records(small, containers):
    rows = [(e["q"], 1, e["ref"], e["alt"], e["info"], e["gt"]) for e in small]
    rows += [(c["q"], 0, c["ref"], f"<{c['kind'][3:].upper()}>",
              f"SVTYPE={c['kind'][3:].upper()};END={c['end']}", c["gt"]) for c in containers]
    rows.sort(key=lambda r: (r[0], r[1]))
    return [("chr1", q + 1, f"r{i}", ref, alt, "PASS", info, gt) for i, (q, _, ref, alt, info, gt) in enumerate(rows)]


@settings(max_examples=60, deadline=None, derandomize=True, phases=PHASES)
@given(nested_cases())
def test_nested_and_abutting_edits_match_the_oracle_and_keep_the_chain_invariants(case):
    seq, small, containers = case
    ref = {"chr1": seq}
    n = len(seq)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out = build(tmp, ref, records(small, containers))
        assert out.count(1, "skipped") == out.count(2, "skipped") == 0
        ref_windows = reference_windows(pd.Series({"chr1": n}), ["chr1"], WINDOW, STEP, BINSIZE,
                                        pd.DataFrame(columns=["chrom", "start", "end", "name"]), {})
        for hap in (1, 2):
            personal = out.hap[hap]
            assert personal == {"chr1": oracle(seq, small, containers, hap)}
            plen = len(personal["chr1"])
            blocks = out.blocks[hap]
            changed = chain_check(ref, personal, blocks)
            assert {pos for _, pos, _, _ in changed} == substituted(small, hap)
            # the chain file again from the blocks read back: the same file
            chain = Path(out.paths[f"hap{hap}_chain"])
            write_chain(blocks, {"chr1": n}, {"chr1": plen}, tmp / "again.chain")
            assert (tmp / "again.chain").read_text() == chain.read_text()
            assert read_chain(tmp / "again.chain")[0].equals(blocks)
            novel = novel_personal(blocks, {"chr1": plen})
            assert int((novel["end"] - novel["start"]).sum()) == inserted_bases(small, containers, hap)
            # windows: the first and the last included, inside the personal chromosome
            hap_windows = haplotype_windows(ref_windows, mark_copies(blocks), pd.Series({"chr1": plen}))
            ok = hap_windows[hap_windows["status"] == "ok"]
            assert ((ok["seq_start"] >= 0) & (ok["seq_end"] <= plen)).all()
            assert (ok["seq_end"] - ok["seq_start"] == WINDOW).all()
            assert ((ok["pstart"] >= 0) & (ok["pend"] <= plen) & (ok["pstart"] < ok["pend"])).all()
            short = hap_windows["status"] == "personal chromosome shorter than the window"
            assert short.all() if plen < WINDOW else not short.any()
            # ones stitched back onto the reference grid stay ones
            nbins = WINDOW // BINSIZE
            maps = np.ones((len(ok), nbins, nbins))
            pixels, valid, _ = stitch_windows(ok, ok["window_id"].tolist(), maps, pd.Series({"chr1": n}), BINSIZE,
                                              blocks=blocks, min_coverage=0.0)
            if len(ok):
                rows, cols, values = pixels["chr1"]
                assert len(valid["chr1"]) == -(-n // BINSIZE)
                assert ((rows <= cols) & (cols < len(valid["chr1"]))).all()
                np.testing.assert_allclose(values, 1.0)


def test_piece_content_by_hand():
    """A piece at reference 100 with an SNV (aligned), a 3-base deletion and a 2-base insertion: its sequence and
    gap-free blocks worked out by hand, the positions integers."""
    seq, blocks = piece_content(b"ACGTACGTAC", 100, np.array([102, 104, 108]), np.array([103, 107, 108]),
                                [b"T", b"", b"GG"], np.array([True, False, False]))
    assert seq == b"AC" + b"T" + b"T" + b"" + b"T" + b"GG" + b"AC"
    # reference 100-104 (the SNV inside) at 0, 107-108 at 4, 108-110 at 7 (after the insertion)
    assert [b.tolist() for b in blocks] == [[100, 107, 108], [104, 108, 110], [0, 4, 7]]
    assert all(b.dtype == np.int64 for b in blocks)


def test_walk_with_lead_inserts_trail_and_a_reused_piece_by_hand():
    class Reference:
        def fetch(self, chrom, start, end):
            return b"ACGTACGTAC"[start:end]

    pieces = [("chrA", 0, 3), ("chrA", 3, 10)]
    walk = Walk("hapA", [Step(1, 0, True), Step(0, 0, False), Step(1, 1, True)], [b"GG"], lead=b"NN", trail=b"TT")
    replacements = pd.DataFrame({"chrom": [], "start": [], "end": [], "alt": [], "aligned": []})
    built = piece_sequences(Layout(pieces, [walk], []), replacements, Reference())
    seq, blocks = walk_sequence(walk, built)
    assert seq == b"NN" + b"TACGTAC" + b"GG" + b"CGT" + b"TACGTAC" + b"TT"
    assert blocks.values.tolist() == [["chrA", 3, 10, "hapA", 2, 9, "+", 0], ["chrA", 0, 3, "hapA", 11, 14, "-", 0],
                                      ["chrA", 3, 10, "hapA", 14, 21, "+", 1]]
    assert set(built.cache) == {1}  # only the piece walked twice is kept once built

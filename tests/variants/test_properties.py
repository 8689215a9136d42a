"""Random non-overlapping variant sets on random sequences.

Properties: each haplotype equals a naive oracle (events applied right to
left on a Python string); every reference base that is not deleted lifts to the
haplotype and back to itself; the lifted base is the reference base (or its
complement on inverted blocks) except exactly where an SNV/MNV changed it.
"""

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from variant_helpers import build, chain_check

COMPLEMENT = str.maketrans("ACGT", "TGCA")
KINDS = ["snv", "mnv", "ins", "del", "complex", "sv_del", "sv_ins", "sv_inv", "sv_dup"]


def revcomp(seq):
    return seq.translate(COMPLEMENT)[::-1]


@st.composite
def events(draw):
    """A sequence and left-to-right events whose footprints neither overlap nor nest."""
    n = draw(st.integers(30, 120))
    seq = draw(st.text(alphabet="ACGT", min_size=n, max_size=n))
    bases = st.text(alphabet="ACGT", min_size=1, max_size=6)
    out, p = [], draw(st.integers(0, 4))
    while True:
        kind = draw(st.sampled_from(KINDS))
        size = draw(st.integers(1, 6))
        gt = draw(st.sampled_from(["1|0", "0|1", "1|1"]))
        width = 1 if kind in ("snv", "ins") or kind.startswith("sv_") else size + (kind == "del")
        if p + width > n:
            break
        ref = seq[p : p + width]
        end = p + width
        info, alt = ".", None
        if kind == "snv":
            alt = draw(st.sampled_from([b for b in "ACGT" if b != ref]))
        elif kind == "mnv":
            alt = "".join(draw(st.sampled_from([b for b in "ACGT" if b != r])) for r in ref)
        elif kind == "ins":
            alt = ref + draw(bases)
        elif kind == "del":
            alt = ref[0]
        elif kind == "complex":
            alt = draw(bases.filter(lambda a: len(a) != len(ref) and a[0] != ref[0] and a[-1] != ref[-1]))
        elif kind == "sv_ins":
            alt, info = "<INS>", f"SVTYPE=INS;SVINSSEQ={draw(bases)}"
        else:
            end = p + 1 + size
            name = kind[3:].upper()
            alt, info = f"<{name}>", f"SVTYPE={name};END={end}"
        if end > n:
            break
        out.append((p, kind, ref, alt, info, gt, end))
        p = end + draw(st.integers(0, 6))
        if p >= n:
            break
    return seq, out


def oracle(seq, evs, hap):
    """Apply the events carried on ``hap`` right to left."""
    for p, kind, ref, alt, info, gt, end in reversed(evs):
        if gt.split("|")[hap - 1] != "1":
            continue
        if kind == "sv_del":
            seq = seq[: p + 1] + seq[end:]
        elif kind == "sv_ins":
            seq = seq[: p + 1] + info.split("SVINSSEQ=")[1] + seq[p + 1 :]
        elif kind == "sv_inv":
            seq = seq[: p + 1] + revcomp(seq[p + 1 : end]) + seq[end:]
        elif kind == "sv_dup":
            seq = seq[:end] + seq[p + 1 : end] + seq[end:]
        else:
            seq = seq[:p] + alt + seq[p + len(ref) :]
    return seq


def substituted(evs, hap):
    """Reference positions an SNV/MNV changes on ``hap``."""
    changed = set()
    for p, kind, ref, alt, _, gt, _ in evs:
        if kind in ("snv", "mnv") and gt.split("|")[hap - 1] == "1":
            changed |= {p + i for i, (r, a) in enumerate(zip(ref, alt)) if r != a}
    return changed


@settings(max_examples=40, deadline=None, derandomize=True)
@given(events())
def test_random_variants_match_the_oracle_and_lift_back(case):
    seq, evs = case
    ref = {"chr1": seq}
    rows = [("chr1", p + 1, f"e{i}", r, a, "PASS", info, gt) for i, (p, _, r, a, info, gt, _) in enumerate(evs)]
    with tempfile.TemporaryDirectory() as tmp:
        out = build(Path(tmp), ref, rows)
        assert out.count(1, "skipped") == out.count(2, "skipped") == 0
        for hap in (1, 2):
            assert out.hap[hap] == {"chr1": oracle(seq, evs, hap)}
            changed = chain_check(ref, out.hap[hap], out.blocks[hap])
            assert {pos for _, pos, _, _ in changed} == substituted(evs, hap)

"""Haplotype sequences and chains from a layout, by joining slices of the reference.

No base is touched one at a time in Python: a piece's sequence is the
reference slices between its replacements joined with their new bases
(``bytes.join``), and its aligned blocks come from cumulative sums of the
length changes. Walks are built and written one at a time, so memory holds one
haplotype chromosome (plus the cached reference chromosomes) at once.
"""

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..genome.liftover import BLOCK_COLUMNS, merge_blocks, write_chain
from ..progress import Progress
from .alleles import reverse_complement

log = logging.getLogger(__name__)


def piece_content(ref, start, starts, ends, alts, aligned):
    """A piece's sequence with its replacements, and its aligned blocks.

    Parameters
    ----------
    ref : bytes
        Reference bases of the piece, which starts at reference ``start``.
    starts, ends : ndarray of int64
        Replaced reference intervals, sorted, disjoint, inside the piece.
    alts : list of bytes
        New bases of each replacement.
    aligned : ndarray of bool
        Replacements that substitute base for base (no block break).

    Returns
    -------
    seq : bytes
    blocks : tuple of ndarray
        ``(ref_start, ref_end, personal_start)`` of each gap-free block, the
        personal start counted from the start of ``seq``.
    """
    end = start + len(ref)
    lo = np.r_[start, ends] - start
    hi = np.r_[starts, end] - start
    parts = [None] * (2 * len(alts) + 1)
    parts[0::2] = [ref[i:j] for i, j in zip(lo.tolist(), hi.tolist())]
    parts[1::2] = alts
    seq = b"".join(parts)
    gaps = ~aligned
    g_start, g_end = starts[gaps], ends[gaps]
    g_len = np.fromiter(map(len, alts), dtype=np.int64, count=len(alts))[gaps]
    shift = np.r_[0, np.cumsum(g_len - (g_end - g_start))]
    b_start, b_end = np.r_[start, g_end], np.r_[g_start, end]
    keep = b_end > b_start
    return seq, (b_start[keep], b_end[keep], (b_start - start + shift)[keep])


class PieceSequences:
    """Replacements grouped by piece, and piece sequences on demand."""

    def __init__(self, pieces, replacements, reference, reused):
        self.pieces, self.reference, self.reused, self.cache = pieces, reference, reused, {}
        firsts = {}
        for i, (chrom, start, _) in enumerate(pieces):
            firsts.setdefault(chrom, []).append((start, i))
        piece_of = np.empty(len(replacements), dtype=np.int64)
        chroms = replacements["chrom"].to_numpy()
        starts = replacements["start"].to_numpy()
        for chrom, rows in pd.Series(np.arange(len(replacements))).groupby(chroms, sort=False):
            table = np.array(firsts[chrom], dtype=np.int64)
            k = np.searchsorted(table[:, 0], starts[rows.to_numpy()], side="right") - 1
            piece_of[rows.to_numpy()] = table[k, 1]
        ordered = replacements.assign(piece=piece_of).sort_values(["piece", "start", "end"], kind="stable")
        self.groups = {p: g for p, g in ordered.groupby("piece", sort=False)}

    def content(self, piece):
        if piece in self.cache:
            return self.cache[piece]
        chrom, start, end = self.pieces[piece]
        group = self.groups.get(piece)
        ref = self.reference.fetch(chrom, start, end)
        if group is None:
            result = ref, (np.array([start]), np.array([end]), np.array([0]))
        else:
            result = piece_content(
                ref, start, group["start"].to_numpy(), group["end"].to_numpy(),
                group["alt"].tolist(), group["aligned"].to_numpy(),
            )
        if piece in self.reused:
            self.cache[piece] = result
        return result


def walk_sequence(walk, pieces):
    """Sequence of one walk and its blocks.

    Returns
    -------
    seq : bytes
    blocks : DataFrame
        :data:`BLOCK_COLUMNS` plus ``copy``, in walk order.
    """
    parts, offset, rows = [walk.lead], len(walk.lead), []
    for k, step in enumerate(walk.steps):
        seq, (r_start, r_end, p_start) = pieces.content(step.piece)
        if step.forward:
            p_out, strand = offset + p_start, "+"
        else:
            seq = reverse_complement(seq)
            p_out, strand = offset + len(seq) - (p_start + (r_end - r_start)), "-"
        rows.append((pieces.pieces[step.piece][0], r_start, r_end, p_out, strand, step.copy))
        parts.append(seq)
        offset += len(seq)
        if k < len(walk.inserts):
            parts.append(walk.inserts[k])
            offset += len(walk.inserts[k])
    parts.append(walk.trail)
    parts = [p for p in parts if p]
    seq = parts[0] if len(parts) == 1 else b"".join(parts)  # one piece (the usual case): no copy
    n = [len(r[1]) for r in rows]
    p_start = np.concatenate([r[3] for r in rows])
    blocks = pd.DataFrame({
        "chrom": np.repeat([r[0] for r in rows], n), "start": np.concatenate([r[1] for r in rows]),
        "end": np.concatenate([r[2] for r in rows]), "pchrom": walk.name, "pstart": p_start,
        "pend": p_start + np.concatenate([r[2] - r[1] for r in rows]),
        "strand": np.repeat([r[4] for r in rows], n), "copy": np.repeat([r[5] for r in rows], n),
    })
    return seq, blocks


def piece_sequences(plan, replacements, reference):
    """The :class:`PieceSequences` of a layout: pieces its walks use more than once are kept once built."""
    uses = {}
    for walk in plan.walks:
        for step in walk.steps:
            uses[step.piece] = uses.get(step.piece, 0) + 1
    return PieceSequences(plan.pieces, replacements, reference, {p for p, n in uses.items() if n > 1})


def write_haplotype(plan, replacements, reference, fasta, chain_path):
    """Write one haplotype's sequences to ``fasta`` and its chain to ``chain_path``.

    Parameters
    ----------
    plan : Layout
        From :func:`.layout.layout`.
    replacements : DataFrame
        Kept replacements of this haplotype (:data:`.checks.REPLACE_COLUMNS`).
    reference : IndexedFasta
    fasta : object
        The sink of :func:`hicmodels.genome.fasta.bgzf_fasta_writer`.
    chain_path : str or Path

    Returns
    -------
    sizes : dict
        Haplotype chromosome -> length, in file order.
    blocks : DataFrame
        The mapping, :data:`BLOCK_COLUMNS` plus ``copy``, primary copies
        first (the order of the chain file).
    """
    pieces = piece_sequences(plan, replacements, reference)
    sizes, all_blocks = {}, []
    progress = Progress(len(plan.walks), f"writing {Path(chain_path).stem} chromosomes", log)
    for k, walk in enumerate(plan.walks):
        if k + 1 < len(plan.walks):  # read the next walk's chromosome while building this one
            reference.prefetch(plan.pieces[plan.walks[k + 1].steps[0].piece][0])
        seq, blocks = walk_sequence(walk, pieces)
        if not seq:
            log.warning("%s has no bases left and is not written", walk.name)
            continue
        fasta.write(walk.name, seq)
        sizes[walk.name] = len(seq)
        all_blocks.append(blocks)
        progress.advance()
    blocks = pd.concat(all_blocks, ignore_index=True) if all_blocks else pd.DataFrame(columns=BLOCK_COLUMNS + ["copy"])
    blocks = merge_blocks(pd.concat([blocks[blocks["copy"] == 0], blocks[blocks["copy"] != 0]], ignore_index=True))
    write_chain(blocks, reference.sizes, sizes, chain_path)
    return sizes, blocks

"""Personal genomes to predicted Hi-C maps.

The package behind the dna2hic workflow: reference and personal-genome handling,
genome windows, sequence-to-Hi-C models (training and prediction), assembly of
window predictions into ``.cool`` files, and evaluation metrics.
"""

__version__ = "0.1.0"

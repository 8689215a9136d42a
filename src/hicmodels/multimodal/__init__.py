"""MIX-HIC model entries in the workflow: samples from the epigenome stage's files, training, predictions, metrics.

- :mod:`.samples`: arrays of :mod:`hicmodels.modelling.mixhic` from a track store, the Hi-C targets and loop labels.
- :mod:`.labels`: loop labels (a user BEDPE, or loops called on the experimental map) with distance-matched negatives.
- :mod:`.predict`: a genome's maps (the predictions file the sequence models write), loops BEDPE and CAGE bigWig.
- :mod:`.scores`: the held-out test chromosome's table (the paper's Tables 2-4 rows).
"""

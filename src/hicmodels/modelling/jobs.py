"""Which genomes each prediction job predicts (config ``prediction.genomes_per_job``).

A job loads the model once and fills its batches across its genomes
(:func:`hicmodels.modelling.prediction.predict_genomes`), so process start, imports and the model load
are paid once per job instead of once per genome.
"""


def prediction_groups(genomes, per_job):
    """``genomes`` cut into consecutive groups of ``per_job`` (the last may be smaller).

    Consecutive rather than balanced: a sample added at the end of the sample sheet changes only the
    last group, so the other jobs' predictions stay up to date.

    Parameters
    ----------
    genomes : list of str
        Genome names in prediction order (the workflow's: ``reference``, then each sample's two
        haplotypes in sample-sheet order).
    per_job : int
        Genomes per job, at least 1.
    """
    if per_job < 1:
        raise ValueError(f"genomes per job must be at least 1, not {per_job}")
    return [list(genomes[i : i + per_job]) for i in range(0, len(genomes), per_job)]


def genome_jobs(groups):
    """Genome name -> index of the group (job) that predicts it."""
    return {genome: index for index, group in enumerate(groups) for genome in group}

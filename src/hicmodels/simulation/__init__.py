"""Known-truth generators for tests and benchmarks: variant sets, the demo VCF and simulated
samples (:mod:`.samples`), paired-end reads (:mod:`.reads`) and synthetic genomes with
loop-extrusion contact maps (:mod:`.synthetic_genome`). Nothing in the workflow's main path
imports them."""

"""Evaluation: map metrics (:mod:`.metrics`), baselines (:mod:`.baselines`), scoring models on
held-out chromosomes (:mod:`.scoring`) and the figures of evaluation (:mod:`.figures`)."""

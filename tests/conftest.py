import os

# Before torch loads OpenMP: idle threads sleep instead of spinning, so tests stay fast on
# shared cores (see workflow/rules/model.smk).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

#!/usr/bin/env bash
# .ci/slurm/run_workflow.sh - the real workflow through a real SLURM cluster, checked
# against the local executor.
#
#   .ci/slurm/run_workflow.sh       # as root, from anywhere; exit 0 = all checks passed
#
# 1. writes a small config (that of tests/workflow/test_workflow.py: 2 demo samples, 5
#    chromosomes, windows every 80 kb, 1 epoch; absolute resource paths);
# 2. brings SLURM up with .ci/slurm/up.sh, unless it is up, advertising 32 CPUs,
#    256 GB and 8 (fake) GPUs so that the profile's real per-rule requests fit on a
#    small CI machine and all GPU jobs of the small config can run side by side, and
#    MinJobAge 3600 s so that scontrol still knows the first jobs at the end; stops it
#    again on exit (trap, also on failure) if it started it here;
# 3. counts the SLURM jobs the DAG needs (`-n --profile profiles/slurm`: one per rule
#    job outside a group, one per group job; `rule all` runs locally);
# 4. runs the workflow with `--profile profiles/slurm` in $WORK/slurm under
#    `timeout -s INT -k 30` (snakemake ignores SIGTERM; a hang must fail, not eat the
#    CI budget), prints the SLURM job ids and sbatch calls, and checks
#    - that exactly the counted number of SLURM jobs was submitted,
#    - with check_gpu_requests.sh, that the GPU rules (train_model, predict_genomes,
#      variant_effects) asked for and got a GPU and no other job did,
#    - that the GPU rules' own logs name the device and saw CUDA_VISIBLE_DEVICES;
# 5. runs the same config with the local executor (profiles/default) in $WORK/local,
#    in the background while the SLURM run waits on its jobs (same timeout);
# 6. compares every .mcool of the two runs, every resolution (compare_mcools.py:
#    chromosome names and lengths, pixel sums, pixel tables, weights): any difference fails.
#
# Both runs give the GPU rules the same threads (--set-threads, $DNA2HIC_WF_THREADS): the
# model is seeded, but another thread count sums floats in another order, and after one
# epoch the maps differ visibly (measured: 1 vs 2 threads, het.hap1 pixel sum 7316.66 vs
# 5939.75). 1 thread by default: the two runs share 2 cores; on the shared 2-core
# development machine the whole script took 13 min with 2 threads and 10 with 1.
#
# Settings (environment): DNA2HIC_WF_WORKDIR (build/slurm_workflow), DNA2HIC_WF_TIMEOUT
# (seconds per snakemake run, 1200), DNA2HIC_WF_STATUS_SECONDS (the plugin's status
# polling interval, 5), DNA2HIC_WF_THREADS (threads of train/predict in both runs, 1),
# SNAKEMAKE (executable; default: the one on PATH, else /work/venv/bin/snakemake; its
# directory must hold the `python` the rules should run, as in an activated venv).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${DNA2HIC_WF_WORKDIR:-$REPO/build/slurm_workflow}
LIMIT=${DNA2HIC_WF_TIMEOUT:-1200}
POLL=${DNA2HIC_WF_STATUS_SECONDS:-5}
THREADS=${DNA2HIC_WF_THREADS:-1}
SNAKEMAKE=${SNAKEMAKE:-$(command -v snakemake || echo /work/venv/bin/snakemake)}
# rules call `python`: the one next to snakemake, as an activated venv would (sbatch
# passes PATH on to the jobs with --export=ALL)
export PATH="$(dirname "$SNAKEMAKE"):$PATH"
GPU_RULES=(train_model predict_genomes variant_effects)
say() { printf '[run_workflow %(%T)T] %s\n' -1 "$*"; }
secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }
T_ALL=$EPOCHREALTIME
declare -a TIMES=()

cd "$REPO"
rm -rf "$WORK"; mkdir -p "$WORK/slurm" "$WORK/local"

# ------------------------------------------------------------- small config --
R=$REPO/resources
printf 'sample\tvcf\tvcf_sample\nhet\t%s\tdemo_het\nhom\t%s\tdemo_hom\n' \
  "$R/demo/demo.vcf.gz" "$R/demo/demo.vcf.gz" >"$WORK/samples.tsv"
cat >"$WORK/small.yaml" <<EOF
# tests/workflow/test_workflow.py's small config
samples: $WORK/samples.tsv
reference:
  fasta: $R/yeast/sacCer3.fa.gz
  chrom_aliases: $R/yeast/chrom_aliases.tsv
  chromosomes: [chrIII, chrIV, chrVII, chrXIII, chrXV]
hic: {cell_lines: {yeast: {cool: $R/yeast/yeast.10kb.cool}}}
window_presets: {yeast: {size: 200000, step: 80000, bins: 20}}
training: {epochs: 1}
effects: {min_size: 50} # the structural variants only: the slow part of the CI budget stays small
EOF
N_SAMPLES=$(($(wc -l <"$WORK/samples.tsv") - 1))
COMMON=(--snakefile "$REPO/Snakefile" --configfile "$REPO/config/config.yaml" "$WORK/small.yaml"
        --set-threads "${GPU_RULES[@]/%/=$THREADS}")

# --------------------------------------------------------------------- SLURM --
started=0 LOCAL_PID=""
cleanup() {  # on any exit: stop the local run if it still runs, SLURM if we started it
  if [[ -n $LOCAL_PID ]] && kill -0 "$LOCAL_PID" 2>/dev/null; then
    say "stopping the local run"; kill -INT "$LOCAL_PID"; wait "$LOCAL_PID" || true
  fi
  if ((started)); then "$HERE/down.sh"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if ! scontrol ping 2>/dev/null | grep -q 'is UP'; then
  t=$EPOCHREALTIME
  started=1
  eval "$(DNA2HIC_SLURM_CPUS=${DNA2HIC_SLURM_CPUS:-32} DNA2HIC_SLURM_MEM_MB=${DNA2HIC_SLURM_MEM_MB:-262144} \
          DNA2HIC_SLURM_GPUS=${DNA2HIC_SLURM_GPUS:-8} DNA2HIC_SLURM_MIN_JOB_AGE=${DNA2HIC_SLURM_MIN_JOB_AGE:-3600} \
          "$HERE/up.sh")"
  TIMES+=("up.sh $(secs "$t")")
fi
[[ -n ${DNA2HIC_SLURM_PARTITION:-} ]] || eval "$(cat "${DNA2HIC_SLURM_DIR:-/tmp/dna2hic-slurm}/env")"
say "partition: $DNA2HIC_SLURM_PARTITION; snakemake: $SNAKEMAKE; python: $(command -v python); workdir: $WORK"
say "cluster started here: $started; $(sinfo -h -N -o 'node %N: %c CPUs, %m MB, %G')"

# --------------------------------------------------------- expected job count --
t=$EPOCHREALTIME
"$SNAKEMAKE" --profile profiles/slurm --directory "$WORK/slurm" "${COMMON[@]}" -n >"$WORK/dryrun.log" 2>&1 ||
  { tail -n 30 "$WORK/dryrun.log"; say "FAIL: dry run"; exit 1; }
awk '/^Job stats:/ { p = 1 } p { print "    " $0 } p && /^total/ { exit }' "$WORK/dryrun.log"
# submission units: top-level `rule X:` blocks (group members are indented) and group jobs
n_rules=$(grep -cE '^rule [A-Za-z0-9_]+:$' "$WORK/dryrun.log" || true)
# local rules run in the Snakemake process: all, link_predictions (a genome's predictions file from its job's)
n_local=$(grep -cxE 'rule (all|link_predictions):' "$WORK/dryrun.log" || true)
n_groups=$(grep -cE '^\[.*\] Group job ' "$WORK/dryrun.log" || true)
EXPECTED=$((n_rules - n_local + n_groups))
say "dry run: $N_SAMPLES samples -> $EXPECTED SLURM jobs ($((n_rules - n_local)) single-rule jobs + $n_groups group jobs; local rules run in Snakemake)"
TIMES+=("dry-run $(secs "$t")")

# ------------------------------------------------------------- SLURM run --
show() {  # the lines worth reading in a CI log: profiles, sbatch calls, job ids, outcome
  grep -E 'Using profile|sbatch call: |submitted with SLURM jobid|Finished jobid|Error in rule|SLURM-job .* failed|steps \([0-9]+%\) done' "$1" |
    sed -E 's/ --wrap=.*//' | sed 's/^/    /'
}
bounded() {  # logfile, snakemake args...: run snakemake under timeout -s INT, keep its log
  local log=$1 rc=0; shift
  timeout -s INT -k 30 "$LIMIT" "$SNAKEMAKE" "$@" >"$log" 2>&1 || rc=$?
  return $rc
}

# ------------------------------------------------ local run, in the background --
say "same config, local executor, in the background (timeout ${LIMIT}s, log: $WORK/local.log)"
T_LOCAL=$EPOCHREALTIME
timeout -s INT -k 30 "$LIMIT" "$SNAKEMAKE" --profile profiles/default --directory "$WORK/local" "${COMMON[@]}" \
  --cores all >"$WORK/local.log" 2>&1 &
LOCAL_PID=$!

say "workflow through SLURM (timeout ${LIMIT}s, status polling from ${POLL}s, GPU rules at $THREADS threads)"
t=$EPOCHREALTIME
rc=0
# no GPU may be visible unless SLURM grants one (sbatch passes the environment on)
(unset CUDA_VISIBLE_DEVICES; bounded "$WORK/slurm.log" --profile profiles/slurm --directory "$WORK/slurm" "${COMMON[@]}" \
  --slurm-init-seconds-before-status-checks "$POLL" --seconds-between-status-checks "$POLL" \
  --slurm-keep-successful-logs --verbose) || rc=$?
TIMES+=("slurm-run $(secs "$t")")
show "$WORK/slurm.log"
say "snakemake (SLURM) exit status $rc after $(secs "$t") s (log: $WORK/slurm.log)"
((rc == 124 || rc == 137)) && { tail -n 40 "$WORK/slurm.log"; say "FAIL: snakemake hung and was stopped by timeout"; exit 1; }
((rc == 0)) || { tail -n 60 "$WORK/slurm.log"; say "FAIL: workflow failed under SLURM"; exit 1; }

bad=0
mapfile -t JOBIDS < <(sed -n 's/.*has been submitted with SLURM jobid \([0-9]*\) .*/\1/p' "$WORK/slurm.log")
say "SLURM job ids (${#JOBIDS[@]}): ${JOBIDS[*]}"
((${#JOBIDS[@]} == EXPECTED)) || { say "FAIL: ${#JOBIDS[@]} SLURM jobs submitted, the dry run counted $EXPECTED"; bad=1; }

rc=0; "$HERE/check_gpu_requests.sh" "$WORK/slurm.log" "${GPU_RULES[@]}" >"$WORK/check.txt" 2>&1 || rc=$?
sed 's/^/    /' "$WORK/check.txt"
((rc == 0)) || { say "FAIL: GPU requests"; bad=1; }

device_lines() {  # run dir: the device line of each GPU rule's log
  local f
  for f in "$1"/logs/train_model/*/*.log "$1"/logs/predict/*/*/*.log "$1"/logs/variant_effects/*/*.log; do
    printf '%s: %s\n' "${f#"$1"/}" "$(grep -m1 ' device: ' "$f" | sed 's/^.* device: /device: /' || echo 'NO DEVICE LINE')"
  done
}
say "device lines of the GPU rules' logs under SLURM (fake GPUs: CUDA sees none, so cpu)"
device_lines "$WORK/slurm" | tee "$WORK/devices.slurm.txt" | sed 's/^/    /'
n_logs=$(wc -l <"$WORK/devices.slurm.txt")
n_cvd=$(grep -cE 'CUDA_VISIBLE_DEVICES=[0-9]+\)' "$WORK/devices.slurm.txt" || true)
# train_model, predict_genomes of the reference and of each haplotype (prediction.genomes_per_job 1),
# variant_effects (one cell line, one model)
((n_logs == N_SAMPLES * 2 + 3 && n_cvd == n_logs)) ||
  { say "FAIL: $n_cvd of $n_logs GPU-rule logs show a CUDA_VISIBLE_DEVICES set by SLURM (expected $((N_SAMPLES * 2 + 3)))"; bad=1; }
((bad == 0)) || exit 1

# ------------------------------------------------------- local run: its end --
say "waiting for the local run"
rc=0; wait "$LOCAL_PID" || rc=$?
LOCAL_PID=""
# its own duration: from its start to its log's last write
TIMES+=("local-run $(($(stat -c %Y "$WORK/local.log") - ${T_LOCAL%.*}))")
say "snakemake (local) exit status $rc (log: $WORK/local.log)"
((rc == 124 || rc == 137)) && { tail -n 40 "$WORK/local.log"; say "FAIL: local run stopped by timeout"; exit 1; }
((rc == 0)) || { tail -n 60 "$WORK/local.log"; say "FAIL: local run"; exit 1; }
device_lines "$WORK/local" | sed 's/^/    /'

# ------------------------------------------------------------- compare --
t=$EPOCHREALTIME
rc=0; python "$HERE/compare_mcools.py" "$WORK/slurm/results/cell_lines/yeast/models/yeast/maps" "$WORK/local/results/cell_lines/yeast/models/yeast/maps" || rc=$?
TIMES+=("compare $(secs "$t")")
if ((rc != 0)); then  # a clue for whoever reads the CI log: did training already differ?
  python - "$WORK"/{slurm,local}/results/cell_lines/yeast/models/yeast/model.pt <<'EOF' | sed 's/^/    /'
import sys, torch
a, b = (torch.load(p, map_location="cpu", weights_only=True) for p in sys.argv[1:])
same = all(torch.equal(a["state_dict"][k], b["state_dict"][k]) for k in a["state_dict"])
print(f"model weights {'identical' if same else 'DIFFERENT'}; validation loss {a['validation_loss']!r} / {b['validation_loss']!r}")
EOF
  say "FAIL: the SLURM and local runs made different maps"; exit 1
fi

say "timings (s): ${TIMES[*]}; all $(secs "$T_ALL") (down.sh follows if SLURM was started here)"
say "OK: workflow ran through SLURM ($EXPECTED jobs for $N_SAMPLES samples), GPU requests exactly on ${GPU_RULES[*]}, maps identical to the local run"

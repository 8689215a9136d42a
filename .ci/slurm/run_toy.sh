#!/usr/bin/env bash
# .ci/slurm/run_toy.sh - prove profiles/slurm on a real SLURM cluster with the toy DAG
# tests/slurm_toy/Snakefile (prepare_reference -> train_model [GPU] -> metrics).
#
#   .ci/slurm/run_toy.sh            # as root, from anywhere; exit 0 = all checks passed
#
# 1. brings SLURM up with .ci/slurm/up.sh (advertising 16 CPUs / 128 GB so that the
#    profile's real per-rule requests fit on a small CI machine), unless it is up;
# 2. runs the toy with `--profile profiles/slurm` under `timeout -s INT -k 30`
#    (snakemake ignores SIGTERM; a hang must fail, not eat the CI budget);
# 3. checks with check_gpu_requests.sh that only train_model asked for and got a GPU,
#    and that the jobs saw CUDA_VISIBLE_DEVICES exactly then;
# 4. failure path: reruns `metrics` with DNA2HIC_TOY_FAIL=metrics and expects
#    snakemake to report the failed SLURM job and exit 1 (not to hang);
# 5. stops SLURM again with .ci/slurm/down.sh if step 1 started it.
#
# Settings (environment): DNA2HIC_TOY_WORKDIR (build/slurm_toy), DNA2HIC_TOY_TIMEOUT
# (seconds per snakemake run, 300), DNA2HIC_TOY_STATUS_SECONDS (the plugin's status
# polling interval, 10; the profile keeps the plugin default of 40 for real clusters),
# SNAKEMAKE (snakemake executable; default: the one on PATH, else /work/venv/bin).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${DNA2HIC_TOY_WORKDIR:-$REPO/build/slurm_toy}
LIMIT=${DNA2HIC_TOY_TIMEOUT:-300}
POLL=${DNA2HIC_TOY_STATUS_SECONDS:-10}
SNAKEMAKE=${SNAKEMAKE:-$(command -v snakemake || echo /work/venv/bin/snakemake)}
say() { printf '[run_toy %(%T)T] %s\n' -1 "$*"; }
secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

cd "$REPO"
started=0
if ! scontrol ping 2>/dev/null | grep -q 'is UP'; then
  t=$EPOCHREALTIME
  eval "$(DNA2HIC_SLURM_CPUS=${DNA2HIC_SLURM_CPUS:-16} DNA2HIC_SLURM_MEM_MB=${DNA2HIC_SLURM_MEM_MB:-131072} "$HERE/up.sh")"
  started=1
  say "up.sh took $(secs "$t") s"
  trap '"$HERE/down.sh"' EXIT
fi
[[ -n ${DNA2HIC_SLURM_PARTITION:-} ]] || eval "$(cat "${DNA2HIC_SLURM_DIR:-/tmp/dna2hic-slurm}/env")"
say "partition: $DNA2HIC_SLURM_PARTITION; snakemake: $SNAKEMAKE"

smk() {  # logfile, snakemake args...: run bounded, keep the full (--verbose) log
  local log=$1; shift
  set +e
  timeout -s INT -k 30 "$LIMIT" "$SNAKEMAKE" --profile profiles/slurm \
    --snakefile tests/slurm_toy/Snakefile --directory "$WORK" \
    --slurm-init-seconds-before-status-checks "$POLL" --seconds-between-status-checks "$POLL" \
    --slurm-keep-successful-logs --verbose "$@" >"$log" 2>&1
  local rc=$?
  set -e
  # the lines worth reading in a CI log: profiles used, sbatch calls, job ids, outcome
  grep -E 'Using profile|sbatch call: |submitted with SLURM jobid|Finished jobid|Error in rule|SLURM-job .* failed|steps \([0-9]+%\) done' "$log" |
    sed -E 's/ --wrap=.*//' | sed 's/^/    /'
  return $rc
}

rm -rf "$WORK"; mkdir -p "$WORK"
say "toy DAG through SLURM (timeout ${LIMIT}s, status polling every ${POLL}s)"
t=$EPOCHREALTIME
rc=0; smk "$WORK/run.log" || rc=$?
say "snakemake exit status $rc after $(secs "$t") s (log: $WORK/run.log)"
((rc == 124 || rc == 137)) && { say "FAIL: snakemake hung and was killed by timeout"; exit 1; }
((rc == 0)) || { tail -n 40 "$WORK/run.log"; say "FAIL: toy workflow failed"; exit 1; }

rc=0; "$HERE/check_gpu_requests.sh" "$WORK/run.log" >"$WORK/check.txt" 2>&1 || rc=$?
sed 's/^/    /' "$WORK/check.txt"
((rc == 0)) || { say "FAIL: GPU requests"; exit 1; }

# what the rules' own processes saw (they run in the srun step inside the job)
bad=0
for pair in reference:prepare_reference model:train_model metrics:metrics; do
  f=$WORK/toy/${pair%%:*}.txt rule=${pair#*:}
  cvd=$(sed -n 's/^CUDA_VISIBLE_DEVICES=//p' "$f"); jid=$(sed -n 's/^SLURM_JOB_ID=//p' "$f")
  echo "    $rule: SLURM_JOB_ID=$jid CUDA_VISIBLE_DEVICES=$cvd"
  [[ $jid =~ ^[0-9]+$ ]] || { say "FAIL: $rule did not run in a SLURM job"; bad=1; }
  if [[ $rule == train_model ]]; then
    [[ $cvd =~ ^[0-9]+$ ]] || { say "FAIL: $rule saw no GPU"; bad=1; }
  else
    [[ $cvd == unset ]] || { say "FAIL: $rule saw GPU(s) $cvd"; bad=1; }
  fi
done
((bad == 0)) || exit 1

say "failure path: metrics exits 1 inside its SLURM job"
t=$EPOCHREALTIME
rc=0; DNA2HIC_TOY_FAIL=metrics smk "$WORK/fail.log" --forcerun metrics || rc=$?
say "snakemake exit status $rc after $(secs "$t") s (log: $WORK/fail.log)"
((rc == 124 || rc == 137)) && { say "FAIL: snakemake hung on a failed job"; exit 1; }
((rc == 1)) || { say "FAIL: expected exit status 1"; exit 1; }
grep -q 'metrics: failing on request' "$WORK"/.snakemake/slurm_logs/rule_metrics/*.log ||
  { say "FAIL: the failed job's SLURM log lacks the rule's error"; exit 1; }
[[ ! -e $WORK/toy/metrics.txt ]] || { say "FAIL: failed job left its output"; exit 1; }

say "OK: toy DAG ran through SLURM; GPU only for train_model; failure detected (cluster started here: $started)"

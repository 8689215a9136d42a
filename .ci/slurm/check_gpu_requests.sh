#!/usr/bin/env bash
# .ci/slurm/check_gpu_requests.sh - did SLURM get a GPU request for exactly the GPU rules?
#
#   .ci/slurm/check_gpu_requests.sh SNAKEMAKE_LOG [RULE...]
#
# SNAKEMAKE_LOG is the console output (or .snakemake/log/*.log) of a run with
# `--executor slurm`; the RULEs are the rules that must run with a GPU (default:
# the GPU rules of profiles/slurm: train_model predict_reference predict_haplotype).
# Every other rule must run without one.
#
# Evidence, per SLURM job id that the log reports ("... submitted with SLURM jobid N"):
#   - `scontrol -d show job N` (what slurmctld recorded): Comment=rule_<name> (set by
#     the plugin), TresPerJob / TresPerNode (the --gpus / --gres request) and
#     JOB_GRES (the GPUs actually allocated). Needs the job to be younger than
#     MinJobAge (600 s with .ci/slurm/up.sh).
#   - the plugin's "sbatch call: ..." lines, present when snakemake ran with --verbose:
#     the --gpus= / --gres= flags it passed.
# Exit status 0 only if every job has evidence and every job's evidence agrees
# with its rule's class; 1 otherwise (a table says which job failed and why).
set -uo pipefail
[[ $# -ge 1 && -r $1 ]] || { sed -n '2,20s/^# \{0,1\}//p' "$0" >&2; exit 2; }
LOG=$1; shift
GPU_RULES=("$@")
((${#GPU_RULES[@]})) || GPU_RULES=(train_model predict_reference predict_haplotype)
is_gpu_rule() { local r; for r in "${GPU_RULES[@]}"; do [[ $r == "$1" ]] && return 0; done; return 1; }

# "Job 2 has been submitted with SLURM jobid 4 (log: /.../slurm_logs/rule_train_model/4.log)."
mapfile -t SUBMITTED < <(sed -n 's/.*has been submitted with SLURM jobid \([0-9][0-9]*\) (log: .*\/rule_\([^/]*\)\/.*/\1 \2/p' "$LOG")
if ((${#SUBMITTED[@]} == 0)); then
  echo "check_gpu_requests: no 'submitted with SLURM jobid' lines in $LOG" >&2
  exit 1
fi
n_lines=$(grep -c 'has been submitted with SLURM jobid' "$LOG")
if ((n_lines != ${#SUBMITTED[@]})); then   # e.g. group jobs (.../group_<name>/...): no rule to check
  echo "check_gpu_requests: $n_lines submissions in $LOG, only ${#SUBMITTED[@]} with a rule_<name> log path" >&2
  exit 1
fi

field() { grep -o "\(^\| \)$1=[^ ]*" <<<"$2" | head -n1 | sed 's/^ //; s/^[^=]*=//'; }

# flags of the sbatch call of each job: the call is logged (debug) right before its
# "submitted with SLURM jobid" line, so pair them up in order
declare -A CALL_GPU=()
while read -r jid flags; do CALL_GPU[$jid]=$flags; done < <(awk '
  /sbatch call: sbatch / {
    f = ""; n = split($0, w, " ")
    for (i = 1; i <= n; i++) if (w[i] ~ /^--(gpus|gres)=/) f = f (f == "" ? "" : ",") w[i]
    pending = (f == "" ? "none" : f); have = 1
  }
  /has been submitted with SLURM jobid/ && have {
    match($0, /SLURM jobid [0-9]+/); print substr($0, RSTART + 12, RLENGTH - 12), pending; have = 0
  }' "$LOG")

fail=0
printf '%-8s %-26s %-10s %-24s %-14s %-22s %s\n' slurm_job rule state 'request(scontrol)' 'allocated' 'sbatch_flags' verdict
for entry in "${SUBMITTED[@]}"; do
  read -r jid rule <<<"$entry"
  info=$(scontrol -d -o show job "$jid" 2>/dev/null)
  state=- req=- alloc=- why=""
  if [[ -n $info ]]; then
    state=$(field JobState "$info")
    comment=$(field Comment "$info")
    [[ $comment == rule_"$rule"* ]] || why+="Comment=$comment is not rule_$rule; "
    req=$(for k in TresPerJob TresPerNode TresPerSocket TresPerTask; do
            v=$(field "$k" "$info"); [[ $v == *gpu* ]] && printf '%s=%s ' "$k" "$v"; done)
    req=${req% }; [[ -n $req ]] || req=none
    alloc=$(field JOB_GRES "$info"); [[ -n $alloc && $alloc != "(null)" ]] || alloc=none
  fi
  call=${CALL_GPU[$jid]:--}
  if [[ -z $info && $call == - ]]; then
    why+="no evidence: scontrol has forgotten the job (MinJobAge) and the log has no sbatch call (--verbose); "
  elif is_gpu_rule "$rule"; then
    [[ -z $info || ($req != none && $alloc == gpu*) ]] || why+="GPU rule without GPU request/allocation; "
    [[ $call == - || $call != none ]] || why+="GPU rule submitted without --gpus/--gres; "
  else
    [[ -z $info || ($req == none && $alloc == none) ]] || why+="CPU rule got a GPU; "
    [[ $call == - || $call == none ]] || why+="CPU rule submitted with $call; "
  fi
  if [[ -n $why ]]; then verdict="FAIL: ${why%; }"; fail=1
  elif is_gpu_rule "$rule"; then verdict="ok (GPU rule)"
  else verdict="ok (CPU rule)"; fi
  printf '%-8s %-26s %-10s %-24s %-14s %-22s %s\n' "$jid" "$rule" "$state" "$req" "$alloc" "$call" "$verdict"
done
if ((fail)); then echo "check_gpu_requests: FAILED" >&2; exit 1; fi
echo "check_gpu_requests: ${#SUBMITTED[@]} SLURM jobs, GPU requests exactly on: ${GPU_RULES[*]}"

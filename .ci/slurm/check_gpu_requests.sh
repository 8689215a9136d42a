#!/usr/bin/env bash
# .ci/slurm/check_gpu_requests.sh - did SLURM get a GPU request for exactly the GPU rules?
#
#   .ci/slurm/check_gpu_requests.sh SNAKEMAKE_LOG [RULE...]
#
# SNAKEMAKE_LOG is the console output (or .snakemake/log/*.log) of a run with
# `--executor slurm`; the RULEs are the rules that must run with a GPU (default:
# the GPU rules of profiles/slurm: train_model predict_genomes),
# and each of them must have been submitted at least once. Every other rule must
# run without one. A group job (profile `groups:`) is a GPU job if one of its
# rules is: the plugin names it <group>_<rule>_<rule>... (its log directory is
# group_<that name>), which is how its rules are found.
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
((${#GPU_RULES[@]})) || GPU_RULES=(train_model predict_genomes)
is_gpu_rule() { local r; for r in "${GPU_RULES[@]}"; do [[ $r == "$1" ]] && return 0; done; return 1; }
# a group job's name is <groupid>_<its rules, sorted, joined by _> (snakemake GroupJob.name)
gpu_rules_in_group() { local r; for r in "${GPU_RULES[@]}"; do [[ _$1_ == *_"$r"_* ]] && printf '%s ' "$r"; done; }

# "Job 2 has been submitted with SLURM jobid 4 (log: /.../slurm_logs/rule_train_model/4.log)."
# "Job 7 has been submitted with SLURM jobid 9 (log: /.../slurm_logs/group_maps_assemble_cool_zoomify/9.log)."
mapfile -t SUBMITTED < <(sed -nE 's/.*has been submitted with SLURM jobid ([0-9]+) \(log: .*\/slurm_logs\/(rule|group)_([^/]+)\/.*/\1 \2 \3/p' "$LOG")
if ((${#SUBMITTED[@]} == 0)); then
  echo "check_gpu_requests: no 'submitted with SLURM jobid' lines in $LOG" >&2
  exit 1
fi
n_lines=$(grep -c 'has been submitted with SLURM jobid' "$LOG")
if ((n_lines != ${#SUBMITTED[@]})); then   # e.g. another --slurm-logdir: no rule to check
  echo "check_gpu_requests: $n_lines submissions in $LOG, only ${#SUBMITTED[@]} with a .../slurm_logs/{rule,group}_<name>/ log path" >&2
  exit 1
fi

field() { grep -o "\(^\| \)$1=[^ ]*" <<<"$2" | head -n1 | sed 's/^ //; s/^[^=]*=//'; }

# GPU flags of the sbatch call of each job. Calls and "submitted" lines do not come
# in pairs (the plugin submits several jobs at once), so they are matched by the
# call's `--output .../slurm_logs/<rule or group>/[<wildcards>/]%j.log`, which is the
# submitted line's log path with the job id in place of %j. Calls sharing an
# --output (a group's jobs, which have no wildcards directory) must agree.
declare -A CALL_GPU=()
while read -r jid flags; do CALL_GPU[$jid]=$flags; done < <(awk '
  /sbatch call: sbatch / {
    f = ""; out = ""; n = split($0, w, " ")
    for (i = 1; i <= n && w[i] !~ /^--wrap=/; i++) {
      if (w[i] ~ /^--(gpus|gres)=/) f = f (f == "" ? "" : ",") w[i]
      if (w[i] == "--output" && out == "") { out = w[i + 1]; gsub(/^\047|\047$/, "", out) }
    }
    if (f == "") f = "none"
    if ((out in flags) && flags[out] != f) f = "conflicting"  # (not in one assignment: mawk creates flags[out] first)
    flags[out] = f
  }
  /has been submitted with SLURM jobid/ {
    match($0, /SLURM jobid [0-9]+/); jid = substr($0, RSTART + 12, RLENGTH - 12)
    match($0, /\(log: [^)]*\)/); path = substr($0, RSTART + 6, RLENGTH - 7)
    sub("/" jid "\\.log$", "/%j.log", path)
    job[jid] = path; order[++m] = jid
  }
  END { for (k = 1; k <= m; k++) { j = order[k]; print j, ((job[j] in flags) ? flags[job[j]] : "-") } }' "$LOG")

fail=0
declare -A SEEN=()
printf '%-8s %-50s %-10s %-24s %-14s %-22s %s\n' slurm_job rule state 'request(scontrol)' 'allocated' 'sbatch_flags' verdict
for entry in "${SUBMITTED[@]}"; do
  read -r jid kind rule <<<"$entry"
  if [[ $kind == group ]]; then
    gpu_in=$(gpu_rules_in_group "$rule")
    label="group:$rule"
  else
    gpu_in=$(is_gpu_rule "$rule" && echo "$rule")
    label=$rule
  fi
  for r in $gpu_in; do SEEN[$r]=1; done
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
  elif [[ -n $gpu_in ]]; then
    [[ -z $info || ($req != none && $alloc == gpu*) ]] || why+="GPU rule without GPU request/allocation; "
    [[ $call == - || ($call != none && $call != conflicting) ]] || why+="GPU rule submitted without --gpus/--gres ($call); "
  else
    [[ -z $info || ($req == none && $alloc == none) ]] || why+="CPU rule got a GPU; "
    [[ $call == - || $call == none ]] || why+="CPU rule submitted with $call; "
  fi
  if [[ -n $why ]]; then verdict="FAIL: ${why%; }"; fail=1
  elif [[ -n $gpu_in ]]; then verdict="ok (GPU rule)"
  else verdict="ok (CPU rule)"; fi
  printf '%-8s %-50s %-10s %-24s %-14s %-22s %s\n' "$jid" "$label" "$state" "$req" "$alloc" "$call" "$verdict"
done
for r in "${GPU_RULES[@]}"; do
  [[ -n ${SEEN[$r]:-} ]] || { echo "check_gpu_requests: GPU rule $r was never submitted" >&2; fail=1; }
done
if ((fail)); then echo "check_gpu_requests: FAILED" >&2; exit 1; fi
echo "check_gpu_requests: ${#SUBMITTED[@]} SLURM jobs, GPU requests exactly on: ${GPU_RULES[*]}"

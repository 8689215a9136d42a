#!/usr/bin/env bash
# .ci/slurm/up.sh - a single-node SLURM cluster on this machine, for CI.
#
# Debian 12 + Slurm 22.05 from Debian main, run as root, works without systemd
# and without cgroups. Starts munged (unless one already answers), slurmctld and
# slurmd, with fake GPUs declared as GRES so that `--gpus=N`, `--gres=gpu:N` and
# `--gpus=<type>:N` jobs schedule and get CUDA_VISIBLE_DEVICES.
#
#   eval "$(.ci/slurm/up.sh)"      # exports DNA2HIC_SLURM_PARTITION, DNA2HIC_SLURM_DIR
#   ...                            # snakemake --profile profiles/slurm ...
#   .ci/slurm/down.sh              # stops what up.sh started, removes its state
#
# stdout carries only `export NAME=value` lines (also written to $DIR/env);
# progress goes to stderr. Re-running is cheap: running daemons are reused; if
# the generated configuration changed, slurmctld/slurmd are restarted.
#
# Settings (environment):
#   DNA2HIC_SLURM_DIR        state: pids, logs, spool, fake devices (/tmp/dna2hic-slurm)
#   DNA2HIC_SLURM_PARTITION  partition to create, also the default one  (ci)
#   DNA2HIC_SLURM_GPUS       fake GPUs on the node, 0 = none             (2)
#   DNA2HIC_SLURM_GPU_TYPE   GRES type of the fake GPUs, "" = untyped    (fake)
#                            a type is what `--gpus=<type>:N` (the plugin's
#                            `gpu_model` resource) needs; untyped requests match too
#   DNA2HIC_SLURM_CPUS       CPUs to advertise (default: what slurmd -C finds)
#   DNA2HIC_SLURM_MEM_MB     memory to advertise (default: 90 % of what slurmd -C finds)
#                            Either one set -> SlurmdParameters=config_overrides,
#                            so a 2-core CI box can accept the real profile's
#                            requests (e.g. --cpus-per-task=16 --mem 64000).
#   DNA2HIC_SLURM_NO_APT=1   never call apt-get (fail if packages are missing)
set -euo pipefail

LOG_TAG=slurm-up
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # DIR PIDS CONF GRES_CONF MARK, log die poll stop_pidfile ...
PARTITION=${DNA2HIC_SLURM_PARTITION:-ci}
NGPUS=${DNA2HIC_SLURM_GPUS:-2}
GPU_TYPE=${DNA2HIC_SLURM_GPU_TYPE-fake}
NODE=$(hostname -s)   # slurmctld refuses to start unless SlurmctldHost == hostname -s
T0=$EPOCHREALTIME
[[ $(id -u) == 0 ]] || die "run as root"

# ------------------------------------------------------------------ packages --
missing=()
for p in munge slurmctld slurmd slurm-client; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ ${DNA2HIC_SLURM_NO_APT:-0} == 1 ]] && die "missing packages: ${missing[*]}"
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # postinst scripts try to start the services; without systemd that is refused, harmlessly
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [[ -e $CONF ]] && ! grep -qxF "$MARK" "$CONF"; then
  die "$CONF exists and was not written by this script: refusing to touch a real SLURM setup"
fi
mkdir -p "$PIDS" "$DIR"/{log,spool/ctld,spool/d,dev} /etc/slurm

# --------------------------------------------------------------------- munge --
if [[ ! -s /etc/munge/munge.key ]]; then   # Debian's postinst normally creates it
  log "creating /etc/munge/munge.key"
  install -d -o munge -g munge -m 0700 /etc/munge
  mungekey --create --keyfile=/etc/munge/munge.key --force
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
fi
install -d -o munge -g munge -m 0755 /run/munge   # systemd-tmpfiles would create it
munge_ok() { munge -n | unmunge; }
if munge_ok >/dev/null 2>&1; then
  pidfile_running "$PIDS/munged.pid" munged || log "using the munged that is already running (not ours: down.sh leaves it)"
else
  rm -f "$PIDS/munged.pid"
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged --force   # forks; writes /run/munge/munged.pid
  poll 50 munge_ok || die "munged does not answer (see /var/log/munge/munged.log)"
  cp /run/munge/munged.pid "$PIDS/munged.pid"
fi

# ---------------------------------------------------------------- hardware --
# take the node description from slurmd itself, so it never drains the node for
# "Low RealMemory" or a socket/core count mismatch
HW=$(slurmd -C | head -n1)
REAL_CPUS=$(grep -o ' CPUs=[0-9]*' <<<"$HW" | cut -d= -f2)
REAL_MEM=$(grep -o 'RealMemory=[0-9]*' <<<"$HW" | cut -d= -f2)
CPUS=${DNA2HIC_SLURM_CPUS:-$REAL_CPUS}
MEM=${DNA2HIC_SLURM_MEM_MB:-$((REAL_MEM * 9 / 10))}
if [[ -n ${DNA2HIC_SLURM_CPUS:-}${DNA2HIC_SLURM_MEM_MB:-} ]]; then
  NODE_HW="CPUs=$CPUS RealMemory=$MEM"
  OVERRIDES="SlurmdParameters=config_overrides"   # trust slurm.conf, not the hardware
else
  NODE_HW="$(sed -e 's/^NodeName=[^ ]* //' -e 's/ RealMemory=[0-9]*//' <<<"$HW") RealMemory=$MEM"
  OVERRIDES=""
fi

# ------------------------------------------------------------ fake GPUs --
# slurmd only accepts character/block devices as GRES files (a regular file is
# rejected and CUDA_VISIBLE_DEVICES is then not set). Make char devices with
# /dev/null's numbers; the trailing digit of the name becomes the GPU index.
GRES_LINES="AutoDetect=off"
NODE_GRES=""
if ((NGPUS > 0)); then
  for ((i = 0; i < NGPUS; i++)); do
    dev=$DIR/dev/gpu$i
    [[ -c $dev ]] || { rm -f "$dev"; mknod -m 0666 "$dev" c 1 3; }
    GRES_LINES+=$'\n'"NodeName=$NODE Name=gpu${GPU_TYPE:+ Type=$GPU_TYPE} File=$dev"
  done
  NODE_GRES="Gres=gpu:${GPU_TYPE:+$GPU_TYPE:}$NGPUS"
fi

# ------------------------------------------------------------------ config --
DEF_MEM=$((MEM / CPUS))
NEW_CONF="$MARK
ClusterName=dna2hic
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
# no systemd, no cgroups
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# no slurmdbd: sacct does not work, so the snakemake profile must use
# slurm-status-command: squeue, which needs MinJobAge >= 3 x the plugin's
# init-seconds-before-status-checks (default 40 s) or it falls back to sacct
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=600
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
# a job without --mem would otherwise get the whole node's memory
DefMemPerCPU=$DEF_MEM
${NODE_GRES:+GresTypes=gpu}
$OVERRIDES
ReturnToService=2
InactiveLimit=0
KillWait=5
MpiDefault=none
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$DIR/spool/ctld
SlurmdSpoolDir=$DIR/spool/d
SlurmctldPidFile=$PIDS/slurmctld.pid
SlurmdPidFile=$PIDS/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
NodeName=$NODE NodeAddr=127.0.0.1 $NODE_HW $NODE_GRES State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP"
NEW_GRES="$MARK
$GRES_LINES"

changed=0
[[ "$(cat "$CONF" 2>/dev/null)" == "$NEW_CONF" ]] || { printf '%s\n' "$NEW_CONF" >"$CONF"; changed=1; }
[[ "$(cat "$GRES_CONF" 2>/dev/null)" == "$NEW_GRES" ]] || { printf '%s\n' "$NEW_GRES" >"$GRES_CONF"; changed=1; }
if ((changed)); then
  log "configuration written ($CONF, $GRES_CONF)"
  stop_pidfile "$PIDS/slurmd.pid" slurmd
  stop_pidfile "$PIDS/slurmctld.pid" slurmctld
fi

# ----------------------------------------------------------- slurm daemons --
ctld_up() { scontrol ping | grep -q 'is UP'; }
if pidfile_running "$PIDS/slurmctld.pid" slurmctld; then
  log "slurmctld already running (pid $(cat "$PIDS/slurmctld.pid"))"
else
  ctld_up 2>/dev/null && die "a slurmctld that up.sh did not start answers on this host"
  log "starting slurmctld"
  /usr/sbin/slurmctld -i    # -i: ignore saved state that no longer matches the config
fi
poll 100 ctld_up || { tail -n 20 "$DIR/log/slurmctld.log" >&2; die "slurmctld not responding"; }

if pidfile_running "$PIDS/slurmd.pid" slurmd; then
  log "slurmd already running (pid $(cat "$PIDS/slurmd.pid"))"
else
  log "starting slurmd"
  /usr/sbin/slurmd -N "$NODE"
fi
node_ready() {
  local s; s=$(sinfo -h -n "$NODE" -o %T)
  case $s in idle* | mixed* | allocated* | completing*) return 0 ;; esac
  case $s in drain* | down*) scontrol update NodeName="$NODE" State=RESUME ;; esac
  return 1
}
poll 150 node_ready || {
  tail -n 20 "$DIR/log/slurmd.log" >&2; scontrol show node "$NODE" >&2; die "node $NODE not ready"
}

# -------------------------------------------------------------- smoke test --
srun -p "$PARTITION" -n1 -t 1 --mem=64 true || die "srun failed"
if ((NGPUS > 0)); then
  cvd=$(srun -p "$PARTITION" -n1 -t 1 --mem=64 --gpus=1 printenv CUDA_VISIBLE_DEVICES) || die "srun --gpus=1 failed"
  [[ $cvd =~ ^[0-9]+$ ]] || die "srun --gpus=1 got CUDA_VISIBLE_DEVICES='$cvd'"
fi

ENV="export DNA2HIC_SLURM_PARTITION=$PARTITION
export DNA2HIC_SLURM_DIR=$DIR"
printf '%s\n' "$ENV" >"$DIR/env"
log "SLURM ready in $(elapsed "$T0") s:" \
  "node=$NODE partition=$PARTITION cpus=$CPUS mem_mb=$MEM gres='${NODE_GRES#Gres=}'" \
  "pids: $(for f in "$PIDS"/*.pid; do [[ -e $f ]] && printf '%s=%s ' "$(basename "$f" .pid)" "$(cat "$f")"; done)"
sinfo -N -o '%N %P %T %c %m %G' >&2
printf '%s\n' "$ENV"

#!/usr/bin/env bash
# A private single-node Slurm for tests: its own munged (own key and socket), slurmctld and
# slurmd, all state, logs and sockets under DIR, so it never touches a site's Slurm.
#   local_slurm.sh start DIR   # prints the SLURM_CONF to export; waits until the node is idle
#   local_slurm.sh stop DIR    # stops what start started (safe to call twice)
# Needs root (slurmd runs jobs as their owner) and Debian's slurm-wlm and munge.
# On container-like machines: proctrack/linuxproc and task/none (no cgroups); jobs with more
# tasks than cores need `sbatch --overcommit`.
set -euo pipefail
cmd=${1:?usage: local_slurm.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: local_slurm.sh start|stop DIR}")

free_port() {  # a TCP port nobody listens on, from a range away from Slurm's defaults
  local p
  for p in $(shuf -i 20000-29999 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "local_slurm: no free TCP port found" >&2; exit 1
}

stop_pidfile() {
  local f=$1
  [[ -s $f ]] || return 0
  local pid; pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}

case $cmd in
start)
  for tool in munged slurmctld slurmd sbatch; do
    command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin
    command -v "$tool" >/dev/null || {
      echo "local_slurm: $tool not found: install Debian's slurm-wlm and munge (scripts/install-deps.sh)" >&2
      exit 1
    }
  done
  [[ $(id -u) == 0 ]] || { echo "local_slurm: must run as root (slurmd)" >&2; exit 1; }
  mkdir -p "$dir"/{munge,state,spool,log}
  chmod 700 "$dir/munge"
  # A key of its own: the test never depends on (or changes) the machine's munge setup.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --force --socket="$dir/munge/munge.sock" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" \
    --log-file="$dir/log/munged.log"
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
  cat >"$dir/slurm.conf" <<CONF
ClusterName=rungtest
SlurmctldHost=$host
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
CredType=cred/munge
# cred_expire also sets how long a requeued job waits before it may start again (default
# 120 s): shorter here, so the test's walltime segments follow each other sooner.
AuthInfo=socket=$dir/munge/munge.sock,cred_expire=20
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobRequeue=1
# Walltime is enforced within seconds, not Slurm's default minute-scale slack.
KillWait=10
OverTimeLimit=0
InactiveLimit=0
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  for _ in $(seq 100); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    [[ $state == idle ]] && { echo "$SLURM_CONF"; exit 0; }
    sleep 0.3
  done
  echo "local_slurm: node $host did not become idle (state '${state:-none}'); logs in $dir/log" >&2
  tail -5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  exit 1
  ;;
stop)
  if [[ -f $dir/slurm.conf ]]; then
    SLURM_CONF=$dir/slurm.conf scancel --full --quiet --user=root 2>/dev/null || true
  fi
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munge/munged.pid"
  ;;
*)
  echo "usage: local_slurm.sh start|stop DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Real Slurm check of `sgdwalk sweep --emit slurm`: starts a single-node cluster on loopback (munged, slurmctld,
# slurmd) with its state in a temporary folder, submits the emitted array job for a tiny synthetic sweep plus its
# report job, waits (bounded), and checks that every cell completed and the merged report exists. Stops the daemons
# it started whatever happens. Needs root (daemons) and Debian's slurm-wlm and munge, which it does not install:
# scripts/ensure-test-deps.sh does, before the suite (installing here raced the other test projects for dpkg's lock).
# Usage: tests/slurm-check.sh [CLI.dll]   (default: the Release build of src/SgdWalk.Cli)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${1:-$root/src/SgdWalk.Cli/bin/Release/net10.0/linux-x64/SgdWalk.Cli.dll}"
[ -f "$cli" ] || { echo "slurm-check: no CLI build at $cli" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "slurm-check: needs root (runs slurmd as root)" >&2; exit 1; }
bash "$root/scripts/ensure-test-deps.sh" --check slurm >&2 || { echo "slurm-check: Slurm is not installed" >&2; exit 1; }

work="$(mktemp -d /tmp/sgdwalk-slurm.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# munge: a fresh key and socket of our own, so nothing system-wide is touched.
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/log"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1 count=1024 status=none
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
munged --force --foreground --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" \
  > "$work/log/munged.out" 2>&1 &
pids+=($!)

port=$((17000 + RANDOM % 2000))
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=sgdwalk-check
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
NodeName=localhost CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# Every wait below polls for its condition; the bounds only catch a hang, generous for a loaded machine.
for _ in $(seq 600); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { echo "slurm-check: munged did not start"; cat "$work/log/munged.log"; exit 1; }
slurmctld -D -f "$SLURM_CONF" > "$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" > "$work/log/slurmd.out" 2>&1 &
pids+=($!)

ready=0
for _ in $(seq 300); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then ready=1; break; fi
  sleep 1
done
if [ "$ready" != 1 ]; then
  echo "slurm-check: the node never became idle"; sinfo -N -l || true
  tail -n 20 "$work/log/slurmctld.log" "$work/log/slurmd.log" 2>/dev/null || true; exit 1
fi
echo "slurm-check: cluster up ($(sinfo -h -N -o '%N %T %c'))"

# A tiny synthetic sweep: 4 cells in 2 array tasks, then the report job.
sweep="$work/sweep"
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184}"
(cd "$work" && dotnet "$cli" sweep --dataset synthetic --hidden 8 --lr 0.05,0.1 --batch-size 25,50 --seeds 1 \
  --steps 8 --probe-size 100 --record every:4 --threads 1 --out "$sweep" --emit slurm --shards 2)
submitted="$("$sweep/submit.sh")"
echo "slurm-check: $submitted"

deadline=$((SECONDS + ${SLURM_CHECK_TIMEOUT:-1200}))
while [ -n "$(squeue -h -o '%i' 2>/dev/null)" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then echo "slurm-check: jobs still queued after the time limit"; squeue || true; exit 1; fi
  sleep 2
done

status=0
for cell in lr0.05-b25-s1 lr0.05-b50-s1 lr0.1-b25-s1 lr0.1-b50-s1; do
  if grep -q '"status": "completed"' "$sweep/$cell/run.json" 2>/dev/null; then echo "slurm-check: $cell completed"
  else echo "slurm-check: $cell NOT completed"; status=1; fi
done
for file in report.html summary.csv summary.md; do
  if [ -s "$sweep/$file" ]; then echo "slurm-check: $file present"; else echo "slurm-check: $file MISSING"; status=1; fi
done
[ "$(grep -c completed "$sweep/summary.csv")" -eq 4 ] || { echo "slurm-check: summary.csv does not list 4 completed cells"; status=1; }
if [ "$status" -ne 0 ]; then
  for f in "$sweep"/slurm/*.out; do echo "== $f"; cat "$f"; done
  tail -n 20 "$work/log/slurmctld.log" "$work/log/slurmd.log" 2>/dev/null || true
  exit 1
fi
echo "slurm-check: passed (array job of 2 shards, 4 cells, merged report)"

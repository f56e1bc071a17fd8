#!/usr/bin/env bash
# Proves that ./test.sh works on a fresh machine: REMOVES the suite's Debian packages from THIS machine (apt-get
# remove), makes a clean clone of this repository's committed HEAD, runs ./test.sh there (which must install them
# again, serially, before any test starts) and prints the result.
#
# DESTRUCTIVE for everyone sharing this machine: other users' tests lose Slurm, Chromium, PyTorch and the data until
# the clone's ./test.sh has installed them again. Nothing is removed without --yes-remove-packages.
#
# Usage: scripts/fresh-machine-check.sh                        say what would be removed, and stop (exit 2)
#        scripts/fresh-machine-check.sh --yes-remove-packages  remove them, clone, run ./test.sh (needs root)
#        scripts/fresh-machine-check.sh --keep-packages        skip the removal: only the clean clone and ./test.sh
#   --keep-clone   leave the clone (and its test log) in place for inspection
# Exit status: that of the clone's ./test.sh; 2 for a refusal or bad usage.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The packages that provide what scripts/ensure-test-deps.sh checks: its own list, plus the Slurm daemons and client
# that the slurm-wlm metapackage brings (removing only the metapackage would leave them). python3 stays: much of
# Debian (apt's own helpers included) depends on it, and the .NET-only machine of the report had it too.
packages=(dataset-fashion-mnist slurm-wlm slurmctld slurmd slurm-client munge chromium
          python3-torch python3-numpy libopenblas0-openmp libjemalloc2)
checked=(data slurm chromium pytorch)   # each must be missing after the removal, or the check proves nothing

remove=0 keep_clone=0 mode=""
for arg in "$@"; do
  case $arg in
    --yes-remove-packages) remove=1; mode=remove ;;
    --keep-packages) mode=keep ;;
    --keep-clone) keep_clone=1 ;;
    *) echo "fresh-machine-check: unknown argument '$arg'" >&2; sed -n '9,14p' "$0" >&2; exit 2 ;;
  esac
done

installed=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' && installed+=("$p")
done

if [ -z "$mode" ]; then
  echo "fresh-machine-check: would run 'apt-get remove' on these installed packages of the test suite:"
  echo "  ${installed[*]:-(none installed)}"
  if [ ${#installed[@]} -gt 0 ]; then
    echo "fresh-machine-check: apt-get -s remove says it would remove (with anything that depends on them):"
    apt-get -s remove "${installed[@]}" 2>/dev/null | sed -n 's/^Remv \([^ ]*\).*/  \1/p'
  fi
  echo "fresh-machine-check: then clone $root (committed HEAD) into a temporary folder and run ./test.sh there."
  echo "fresh-machine-check: this affects everyone using this machine. Nothing done; pass --yes-remove-packages to do it."
  exit 2
fi

if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
  echo "fresh-machine-check: note: uncommitted changes in $root are NOT part of the clone (it takes the committed HEAD)"
fi

if [ "$remove" = 1 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "fresh-machine-check: --yes-remove-packages needs root (apt-get remove)" >&2; exit 2; }
  if [ ${#installed[@]} -gt 0 ]; then
    echo "fresh-machine-check: removing: ${installed[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 remove -y -q "${installed[@]}" \
      || { echo "fresh-machine-check: apt-get remove failed; stopping" >&2; exit 1; }
  else
    echo "fresh-machine-check: none of the suite's packages is installed; nothing to remove"
  fi
  still=()
  for d in "${checked[@]}"; do bash "$root/scripts/ensure-test-deps.sh" --check "$d" >/dev/null && still+=("$d"); done
  if [ ${#still[@]} -gt 0 ]; then
    echo "fresh-machine-check: still usable after the removal: ${still[*]}; this would not be a fresh machine, stopping" >&2
    exit 1
  fi
  # The allocator the launcher and test.sh preload (scripts/ensure-allocator.sh installs it again).
  if [ -f "/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2" ]; then
    echo "fresh-machine-check: jemalloc still present after the removal; this would not be a fresh machine, stopping" >&2
    exit 1
  fi
  echo "fresh-machine-check: removed; ${checked[*]} and jemalloc now missing, as on a fresh machine"
fi

work=$(mktemp -d /tmp/sgdwalk-fresh.XXXXXX)
[ "$keep_clone" = 1 ] || trap 'rm -rf "$work"' EXIT
clone="$work/sgdwalk"
git clone --quiet --no-hardlinks "$root" "$clone" || { echo "fresh-machine-check: git clone failed" >&2; exit 1; }
echo "fresh-machine-check: clean clone of $(git -C "$clone" log -1 --format='%h %s') in $clone"
echo "fresh-machine-check: running ./test.sh there (log: $work/test.log)…"
start=$SECONDS
(cd "$clone" && ./test.sh) > "$work/test.log" 2>&1
status=$?

echo "fresh-machine-check: ./test.sh exited $status after $((SECONDS - start)) s"
grep -E '^(ensure-test-deps|test\.sh|sgdwalk):' "$work/test.log" | sed 's/^/  /'
grep -E '^\s*Failed [A-Za-z_]' "$work/test.log" | sed 's/^\s*/  /' | head -n 50
tail -n 1 "$work/test.log"
[ "$keep_clone" = 1 ] && echo "fresh-machine-check: clone and log kept in $work"
exit "$status"

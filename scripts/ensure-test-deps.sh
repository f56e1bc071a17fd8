#!/usr/bin/env bash
# Installs every system dependency of the test suite, serially, before any test starts (./test.sh runs it once).
# The tests never install anything: each test that needs a dependency runs `ensure-test-deps.sh --check NAME`,
# which never installs, and fails with the message printed here when it is missing.
#
# Usage: scripts/ensure-test-deps.sh                 install what is missing (apt-get, as root or through sudo -n)
#        scripts/ensure-test-deps.sh --check NAME    exit 0 when NAME is usable; else say what is missing, exit 1
#        scripts/ensure-test-deps.sh --list          each dependency, its apt packages and what needs it
# Exit status of the install mode: 0 when everything is present afterwards, 1 when something is still missing.
# To add a dependency: a line in `deps`, its packages in packages_of, its presence test in missing_of.
# Test-only knobs (the script's own tests, TestDependencyScriptTests): SGDWALK_TEST_DEPS_STATUS (status file path),
# SGDWALK_TEST_DEPS_PRETEND_MISSING (comma-separated names treated as missing), SGDWALK_TEST_DEPS_PRETEND_NO_APT=1.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The last install attempt's outcome, one line per dependency, quoted by --check; apt's output next to it.
status_file="${SGDWALK_TEST_DEPS_STATUS:-$root/.artifacts/test-deps.txt}"
log="$(dirname "$status_file")/test-deps-apt.log"

deps=(data slurm chromium python3 pytorch)
packages_of() {
  case $1 in
    data) echo dataset-fashion-mnist ;;
    slurm) echo slurm-wlm munge ;;                      # slurm-wlm brings slurmctld, slurmd and slurm-client
    chromium) echo chromium ;;
    python3) echo python3 ;;
    pytorch) echo python3-torch python3-numpy libopenblas0-openmp ;;
  esac
}
used_by() {
  case $1 in
    data) echo "DatasetCatalogTests (the real Fashion-MNIST split)" ;;
    slurm) echo "SweepCommandTests (tests/slurm-check.sh: a real single-node cluster)" ;;
    chromium) echo "BrowserCheckTests (tests/browser-check.sh: report.html in headless Chromium)" ;;
    python3) echo "BrowserCheckTests (decodes the screenshot), BenchReferenceTests (a stand-in reference)" ;;
    pytorch) echo "the PyTorch reference of sgdwalk bench (bench/reference), tests that run it" ;;
  esac
}
# Prints what is missing for dependency $1 (nothing when it is usable).
missing_of() {
  case ",${SGDWALK_TEST_DEPS_PRETEND_MISSING:-}," in *",$1,"*) echo "(pretended missing)"; return ;; esac
  case $1 in
    data)
      local f
      for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
        [ -f "/usr/share/datasets/fashion-mnist/$f.gz" ] || [ -f "/usr/share/datasets/fashion-mnist/$f" ] \
          || { echo "/usr/share/datasets/fashion-mnist/$f.gz"; return; }
      done ;;
    slurm)
      local c absent=()
      for c in munged slurmctld slurmd sbatch squeue sinfo; do command -v "$c" >/dev/null 2>&1 || absent+=("$c"); done
      [ ${#absent[@]} -eq 0 ] || echo "the commands ${absent[*]}" ;;
    chromium) [ -x /usr/bin/chromium ] || echo "/usr/bin/chromium" ;;
    python3) [ -x /usr/bin/python3 ] || echo "/usr/bin/python3" ;;
    pytorch)
      # bench/reference/ensure-reference.sh owns what "PyTorch usable" means (torch + numpy, OpenMP OpenBLAS as BLAS).
      local why
      why=$(bash "$root/bench/reference/ensure-reference.sh" --check 2>&1) || { why=${why:-python3-torch}; echo "${why//$'\n'/; }"; } ;;
  esac
}

known() { local d; for d in "${deps[@]}"; do [ "$d" = "$1" ] && return 0; done; return 1; }

case "${1:-}" in
  --list)
    for d in "${deps[@]}"; do printf '%-9s apt: %-50s needed by %s\n' "$d" "$(packages_of "$d")" "$(used_by "$d")"; done
    exit 0 ;;
  --check)
    name="${2:-}"
    known "$name" || { echo "ensure-test-deps: unknown dependency '$name' (known: ${deps[*]})" >&2; exit 2; }
    what=$(missing_of "$name")
    [ -z "$what" ] && exit 0
    echo "$name is missing: $what (Debian packages: $(packages_of "$name"))."
    reason=$(grep -s "^$name missing: " "$status_file" | tail -n 1 | sed "s/^$name missing: //")
    if [ -n "$reason" ]; then echo "scripts/ensure-test-deps.sh could not install it: $reason"
    else echo "Install it with scripts/ensure-test-deps.sh (as root; ./test.sh runs it before the tests)."; fi
    exit 1 ;;
  "") ;;
  *) echo "usage: $0 [--check NAME | --list]" >&2; exit 2 ;;
esac

mkdir -p "$(dirname "$status_file")"
missing=()
for d in "${deps[@]}"; do [ -z "$(missing_of "$d")" ] || missing+=("$d"); done
if [ ${#missing[@]} -eq 0 ]; then
  printf '%s ok\n' "${deps[@]}" > "$status_file"
  echo "ensure-test-deps: all present (${deps[*]})"
  exit 0
fi

# Why apt cannot run, if it cannot: then nothing is attempted and each missing dependency is named.
blocker=""
sudo=()
if [ "${SGDWALK_TEST_DEPS_PRETEND_NO_APT:-}" = 1 ] || ! command -v apt-get >/dev/null 2>&1; then
  blocker="apt-get not found (not a Debian-like system); install the packages by hand"
elif [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n)
  else blocker="not root and no password-less sudo; run: sudo scripts/ensure-test-deps.sh"; fi
fi

: > "$log"
apt_get() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q "$@" >>"$log" 2>&1; }
# DPkg::Lock::Timeout covers dpkg's lock, not the package lists' lock that `apt-get update` takes: wait for that one
# by retrying while another apt holds it (at most 10 minutes).
updated=0
apt_update() {
  [ "$updated" = 1 ] && return 0
  local deadline=$((SECONDS + 600))
  until apt_get update; do
    tail -n 3 "$log" | grep -q 'Could not get lock' && [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 5
  done
  updated=1
}
last_error() { grep -E '^(E|Err):' "$log" | tail -n 1 | cut -c1-200; }

declare -A outcome
for d in "${deps[@]}"; do outcome[$d]="ok"; done
if [ -n "$blocker" ]; then
  for d in "${missing[@]}"; do outcome[$d]="missing: $blocker"; done
else
  exec 9>"${TMPDIR:-/tmp}/sgdwalk-test-deps.lock"
  flock 9   # other clones on this machine run this script too: one installer at a time
  for d in "${missing[@]}"; do
    [ -z "$(missing_of "$d")" ] && continue   # installed meanwhile by another clone's run
    read -r -a pkgs <<< "$(packages_of "$d")"
    echo "ensure-test-deps: installing $d (apt: ${pkgs[*]})…"
    if [ "$d" = pytorch ]; then
      # ensure-reference.sh installs and checks the reference's packages (also used by `sgdwalk bench` alone).
      bash "$root/bench/reference/ensure-reference.sh" >>"$log" 2>&1
    else
      recommends=(); [ "$d" = slurm ] && recommends=(--no-install-recommends)
      # A fresh machine has no package lists and stale ones fail to download: update once, then retry.
      apt_get install -y "${recommends[@]}" "${pkgs[@]}" || { apt_update && apt_get install -y "${recommends[@]}" "${pkgs[@]}"; }
    fi
    what=$(missing_of "$d")
    if [ -n "$what" ]; then
      err=$(last_error); outcome[$d]="missing: apt-get install ${pkgs[*]} failed${err:+ ($err)}; still missing $what"
    fi
  done
  exec 9>&-
fi

: > "$status_file"
still=0
for d in "${deps[@]}"; do
  echo "$d ${outcome[$d]}" >> "$status_file"
  if [ "${outcome[$d]}" != ok ]; then
    still=1
    echo "ensure-test-deps: $d is missing ($(missing_of "$d"); Debian packages: $(packages_of "$d")): ${outcome[$d]#missing: }" >&2
    echo "ensure-test-deps:   tests that need it will fail: $(used_by "$d")" >&2
  fi
done
[ "$still" = 0 ] && echo "ensure-test-deps: all present (${deps[*]})"
exit "$still"

#!/usr/bin/env bash
# Makes sure the plain-PyTorch reference of `sgdwalk bench` can run: Debian's python3-torch (1.13) under
# /usr/bin/python3, and the OpenMP build of OpenBLAS. Without libopenblas0-openmp, Debian's torch falls back to
# the reference BLAS and is ~30x slower, which would make every SgdWalk/PyTorch ratio meaningless.
# Idempotent: apt is not touched when both are already there. Silent on success (apt's own output aside);
# on failure one line on stderr and exit 1. With --check it never installs: exit 0 when usable, else it prints what
# is missing and exits 1 (scripts/ensure-test-deps.sh asks this way).
set -u
check_only=0
[ "${1:-}" = "--check" ] && check_only=1

py=/usr/bin/python3
packages=(python3-torch python3-numpy libopenblas0-openmp)

fail() { echo "ensure-reference: $*" >&2; exit 1; }

torch_works() { [ -x "$py" ] && "$py" -c 'import torch, numpy' >/dev/null 2>&1; }
openblas_installed() { dpkg-query -W -f='${Status}' libopenblas0-openmp 2>/dev/null | grep -q 'ok installed'; }

# The libblas.so.3 that torch loads is chosen by update-alternatives; openblas has the higher priority, but a
# manual setting could still point at the reference BLAS.
blas_is_openblas() {
    local lib
    for lib in /usr/lib/*-linux-gnu/libblas.so.3; do
        [ -e "$lib" ] && readlink -f "$lib" | grep -q openblas && return 0
    done
    return 1
}

if torch_works && openblas_installed && blas_is_openblas; then exit 0; fi
if [ "$check_only" = 1 ]; then
    torch_works || echo "$py cannot import torch and numpy (python3-torch, python3-numpy)"
    openblas_installed || echo "libopenblas0-openmp is not installed"
    openblas_installed && ! blas_is_openblas && echo "libblas.so.3 does not point at OpenBLAS"
    exit 1
fi

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install ${packages[*]} by hand (Debian bookworm or later)"
sudo=()
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and sudo not found; run: apt-get install ${packages[*]}"
    sudo=(sudo)
fi

# Wait for a concurrent apt (another benchmark's setup) instead of failing on the lock.
install() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${packages[@]}"; }
# Stale package lists are the usual reason for a failed install on a fresh machine: update once and retry.
# The lists' lock (apt-get update) ignores DPkg::Lock::Timeout, so a concurrent update is waited for by retrying.
update() {
    local deadline=$((SECONDS + 600)) out
    until out=$("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update 2>&1); do
        printf '%s\n' "$out" | grep -q 'Could not get lock' && [ "$SECONDS" -lt "$deadline" ] || { printf '%s\n' "$out" >&2; return 1; }
        sleep 5
    done
}
install || { update && install; } || fail "apt-get install ${packages[*]} failed"

torch_works || fail "$py cannot import torch and numpy after installing python3-torch"
openblas_installed || fail "libopenblas0-openmp is not installed after apt-get install"
blas_is_openblas || fail "libblas.so.3 does not point at OpenBLAS; run: update-alternatives --config libblas.so.3-$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
exit 0

#!/usr/bin/env bash
# Makes sure the plain-PyTorch reference of `sgdwalk bench` can run: Debian's python3-torch (1.13) under
# /usr/bin/python3, and the OpenMP build of OpenBLAS. Without libopenblas0-openmp, Debian's torch falls back to
# the reference BLAS and is ~30x slower, which would make every SgdWalk/PyTorch ratio meaningless.
# Idempotent: apt is not touched when both are already there. Silent on success (apt's own output aside);
# on failure one line on stderr and exit 1.
set -u

py=/usr/bin/python3
packages=(python3-torch libopenblas0-openmp)

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

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install ${packages[*]} by hand (Debian bookworm or later)"
sudo=()
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and sudo not found; run: apt-get install ${packages[*]}"
    sudo=(sudo)
fi

# Wait for a concurrent apt (another benchmark's setup) instead of failing on the lock.
install() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${packages[@]}"; }
# Stale package lists are the usual reason for a failed install on a fresh machine: update once and retry.
install || { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update && install; } \
    || fail "apt-get install ${packages[*]} failed"

torch_works || fail "$py cannot import torch and numpy after installing python3-torch"
openblas_installed || fail "libopenblas0-openmp is not installed after apt-get install"
blas_is_openblas || fail "libblas.so.3 does not point at OpenBLAS; run: update-alternatives --config libblas.so.3-$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
exit 0

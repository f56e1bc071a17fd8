#!/usr/bin/env bash
# Chooses the process's memory allocator and installs it when it is missing (Debian's package, like the default data).
# Prints, on stdout, lines to evaluate in the caller's shell (`eval "$(scripts/ensure-allocator.sh)"`): the library to
# preload and its settings. Exits 0, also when the package cannot be had (the process then runs on glibc's allocator and
# says so), and 2 with one line for an unknown SGDWALK_ALLOCATOR.
#
# SGDWALK_ALLOCATOR=jemalloc (the default), mimalloc or glibc. Why jemalloc, with purging off: under glibc's malloc a
# walk's resident memory depends on the machine (the default walk peaked at 826-900 MB on one machine and at
# 1,932-2,181 MB on another, growing ~38 MB per recorded step); jemalloc keeps it flat on both, and with its decay
# (returning pages to the kernel) turned off it re-faults nothing, so it costs no speed (docs: bench/RESULTS.md,
# 2026-12-07). The settings are exported for the process only; a user's own MALLOC_CONF / MIMALLOC_* win.
set -uo pipefail
choice="${SGDWALK_ALLOCATOR:-jemalloc}"
dir=/usr/lib/x86_64-linux-gnu
[ "$(uname -m)" = x86_64 ] || dir="/usr/lib/$(uname -m)-linux-gnu"
case "$choice" in
  jemalloc) package=libjemalloc2; library="$dir/libjemalloc.so.2" ;;
  mimalloc) package=libmimalloc2.0; library="$dir/libmimalloc.so.2" ;;
  glibc) echo "export SGDWALK_ALLOCATOR=glibc"; exit 0 ;;
  *) echo "sgdwalk: SGDWALK_ALLOCATOR='$choice': expected jemalloc, mimalloc or glibc" >&2; exit 2 ;;
esac
if [ ! -f "$library" ]; then
  exec 9>"${TMPDIR:-/tmp}/sgdwalk-allocator.lock"
  flock 9   # parallel launchers: one apt-get at a time
  if [ ! -f "$library" ] && command -v apt-get >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo=sudo; }
    if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
      echo "sgdwalk: installing Debian's $package (the memory allocator)…" >&2
      { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" \
        || { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; }; } >/dev/null 2>&1
    fi
  fi
fi
if [ ! -f "$library" ]; then
  echo "sgdwalk: $package is not installed (apt-get install $package); running on glibc's allocator" >&2
  echo "export SGDWALK_ALLOCATOR=glibc"
  exit 0
fi
echo "export SGDWALK_ALLOCATOR=$choice"
echo "export LD_PRELOAD=\"$library\${LD_PRELOAD:+:\$LD_PRELOAD}\""
case "$choice" in
  jemalloc) echo 'export MALLOC_CONF="${MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1}"' ;;
  mimalloc) echo 'export MIMALLOC_PURGE_DELAY="${MIMALLOC_PURGE_DELAY:--1}"' ;;
esac

#!/usr/bin/env bash
# Decides whether libtorch's oneMKL gets the CPU shim (build/native/mkl-cpu-shim.c) and builds it when it does.
# Prints the shim's path on stdout when it should be preloaded, nothing otherwise; always exits 0, so the launcher
# and test.sh just run without it when it cannot be had. `--why` prints the decision in words instead.
#
# The shim is used when: SGDWALK_MKL_SHIM is not 0; the CPU is x86-64, not Intel (on Intel oneMKL already takes
# its fast kernels) and has AVX2 and FMA (else there is nothing faster to take); a C compiler is present or apt can
# install one (gcc, libc6-dev). SGDWALK_MKL_SHIM=1 forces it on any x86-64 CPU (tests, comparisons).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source_file="$root/build/native/mkl-cpu-shim.c"
library="$root/.artifacts/native/libsgdwalk-mkl-cpu.so"

decide() {
  case "${SGDWALK_MKL_SHIM:-}" in ""|auto|0|1) ;; *) echo "sgdwalk: SGDWALK_MKL_SHIM='$SGDWALK_MKL_SHIM': expected 0, 1 or auto" >&2; exit 2 ;; esac
  [ "${SGDWALK_MKL_SHIM:-}" = 0 ] && { echo "off: SGDWALK_MKL_SHIM=0"; return 1; }
  [ "$(uname -m)" = x86_64 ] || { echo "off: not an x86-64 CPU"; return 1; }
  [ "${SGDWALK_MKL_SHIM:-}" = 1 ] && { echo "on: forced by SGDWALK_MKL_SHIM=1"; return 0; }
  local vendor flags
  vendor=$(grep -m1 '^vendor_id' /proc/cpuinfo 2>/dev/null | sed 's/.*: *//')
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | sed 's/.*: *//') "
  [ "$vendor" = GenuineIntel ] && { echo "off: an Intel CPU, where oneMKL already uses its fast kernels"; return 1; }
  case "$flags" in *" avx2 "*) ;; *) echo "off: the CPU has no AVX2"; return 1 ;; esac
  case "$flags" in *" fma "*) ;; *) echo "off: the CPU has no FMA"; return 1 ;; esac
  echo "on: ${vendor:-unknown vendor} CPU with AVX2 and FMA"
  return 0
}

build() {
  [ -f "$library" ] && [ "$library" -nt "$source_file" ] && return 0
  mkdir -p "$(dirname "$library")"
  exec 9>"$(dirname "$library")/.build.lock"
  flock 9   # parallel launchers and test processes: one build at a time
  [ -f "$library" ] && [ "$library" -nt "$source_file" ] && return 0
  if ! command -v gcc >/dev/null 2>&1 || [ ! -f /usr/include/stdio.h ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "sgdwalk: installing gcc to build the oneMKL CPU shim…" >&2
      { apt-get install -y -qq gcc libc6-dev || { apt-get update -qq && apt-get install -y -qq gcc libc6-dev; }; } \
        >/dev/null 2>&1 || { echo "sgdwalk: could not install gcc; running without the oneMKL CPU shim" >&2; return 1; }
    else
      echo "sgdwalk: no gcc to build the oneMKL CPU shim (install gcc); running without it" >&2
      return 1
    fi
  fi
  local temporary="$library.$$"
  gcc -O2 -shared -fPIC -o "$temporary" "$source_file" 2>/dev/null && mv -f "$temporary" "$library" \
    || { rm -f "$temporary"; echo "sgdwalk: building the oneMKL CPU shim failed; running without it" >&2; return 1; }
}

why=$(decide); use=$?
[ "$use" = 2 ] && exit 2   # an unknown SGDWALK_MKL_SHIM: refused, said on stderr
if [ "${1:-}" = --why ]; then echo "$why"; exit 0; fi
# ld.so splits LD_PRELOAD at spaces and colons: from a repository whose path holds one, preload a copy kept elsewhere.
preloadable() {
  case "$library" in
    *" "*|*:*)
      local copy="/tmp/sgdwalk-$(id -u)/$(printf '%s' "$library" | sha256sum | cut -c1-16)/libsgdwalk-mkl-cpu.so"
      if [ ! -f "$copy" ] || [ "$library" -nt "$copy" ]; then
        mkdir -p "$(dirname "$copy")" && cp -f "$library" "$copy.$$" && mv -f "$copy.$$" "$copy" \
          || { echo "sgdwalk: could not copy the oneMKL CPU shim out of a path with a space; running without it" >&2; return 1; }
      fi
      echo "$copy" ;;
    *) echo "$library" ;;
  esac
}
[ "$use" = 0 ] && build && preloadable
exit 0

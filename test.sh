#!/usr/bin/env bash
# Restores, builds and runs every test project; ends with "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
# glibc's malloc serves >32 MB blocks with mmap/munmap, so big activation batches page-fault on every forward;
# keeping them in the heap is markedly faster (../shared/torchsharp-notes.md §3).
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184}"
export MKL_DISABLE_FAST_MM="${MKL_DISABLE_FAST_MM:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

./scripts/ensure-dotnet.sh || exit 1
# Every system dependency of the suite (Slurm, Chromium, Debian's python3 and PyTorch, the Fashion-MNIST package),
# installed here, once and serially: the test projects run in parallel and must never race for dpkg's lock. What
# cannot be installed is named here, and the tests that need it fail with the same message.
./scripts/ensure-test-deps.sh || echo "test.sh: continuing; the tests that need what is missing will fail" >&2

# The suite runs the numbers the launcher runs: with the oneMKL CPU shim wherever ./sgdwalk would use it.
shim="$(./scripts/ensure-mkl-shim.sh)" || exit 2
[ -n "$shim" ] && export LD_PRELOAD="$shim${LD_PRELOAD:+:$LD_PRELOAD}"
# ... and on the launcher's memory allocator (jemalloc with purging off, installed here when missing).
allocator="$(./scripts/ensure-allocator.sh)" || exit 2
eval "$allocator"

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
dotnet build SgdWalk.slnx -c Release -v minimal -nologo || { echo "tests: 0 passed, 1 failed"; exit 1; }

status=0
dotnet test SgdWalk.slnx -c Release --no-build -nologo --logger "trx" --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"

#!/usr/bin/env bash
# Installs Debian's dataset-fashion-mnist when a command will need the default data and it is absent.
# It stays quiet when the user points elsewhere (--data-dir, SGDWALK_DATA) or asks for another dataset.
set -uo pipefail
case " $* " in
  *" --data-dir "*|*" --data-dir="*) exit 0 ;;
esac
[ -n "${SGDWALK_DATA:-}" ] && exit 0
# The commands that train on the default data (the others read run folders, or take no data).
case "${1:-}" in train|bench|sweep|experiment|claims) ;; *) exit 0 ;; esac
dataset=fashion-mnist
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--dataset" ] && dataset="${args[$((i + 1))]:-}"
done
[ "$dataset" = "fashion-mnist" ] || exit 0
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "sgdwalk: installing Debian's dataset-fashion-mnist (the default data)…" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; } >&2 && exit 0
  echo "sgdwalk: apt-get could not install dataset-fashion-mnist" >&2
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "sgdwalk: installing Debian's dataset-fashion-mnist with sudo…" >&2
  { sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; } >&2 && exit 0
fi
echo "sgdwalk: Fashion-MNIST is not installed; install the Debian package dataset-fashion-mnist or pass --data-dir" >&2
exit 0  # the CLI itself then reports the missing data with the directories it tried

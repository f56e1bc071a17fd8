#!/usr/bin/env bash
# Makes sure the .NET 10 SDK is present; installs it from Debian's package source when it is not.
set -euo pipefail
if command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks | grep -q '^10\.'; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "sgdwalk: installing the .NET 10 SDK with apt-get" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dotnet-sdk-10.0 >&2 && exit 0
fi
echo "sgdwalk: the .NET 10 SDK is missing and could not be installed; install dotnet-sdk-10.0 and retry" >&2
exit 1

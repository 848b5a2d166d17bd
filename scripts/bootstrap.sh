#!/usr/bin/env bash
# Installs, with apt and only when missing, every Debian package amxlab's build, tests
# and harness need. Safe to run again: it does nothing when all are present.
set -euo pipefail

packages=(
  cmake g++ make pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev          # tests, timing
  libdnnl-dev ocl-icd-opencl-dev opencl-c-headers     # oneDNN and what its CMake config needs
  libhwloc-dev hwloc libnuma-dev numactl              # topology, NUMA placement
  nlohmann-json3-dev libcli11-dev libfmt-dev          # results JSON, CLI, formatting
  clang libclang-rt-14-dev                            # libFuzzer target of the GGUF reader
  python3 python3-matplotlib                          # scripts/plot.py
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || echo "bootstrap: apt-get update failed; trying with the current package lists" >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "bootstrap: done"

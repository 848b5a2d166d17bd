#!/usr/bin/env bash
# Installs, with apt and only when missing, every Debian package amxlab's build, tests
# and harness need. Safe to run again: it does nothing when all are present.
set -euo pipefail

packages=(
  cmake g++ make pkg-config git
  ccache                                              # shared by build/, A/B bases, test clones
  libgtest-dev libgmock-dev libbenchmark-dev          # tests, timing
  libdnnl-dev ocl-icd-opencl-dev opencl-c-headers     # oneDNN and what its CMake config needs
  libhwloc-dev hwloc libnuma-dev numactl              # topology, NUMA placement
  nlohmann-json3-dev libcli11-dev libfmt-dev          # results JSON, CLI, formatting
  clang libclang-rt-14-dev libomp-dev                 # libFuzzer target of the GGUF reader (its
                                                      # clang build finds OpenMP for the oneDNN wrappers)
  python3 python3-matplotlib                          # scripts/plot.py
  clang-format-19                                     # the clang_format test (scripts/lint.sh)
)
# Emulators for tests that must run on other CPUs / topologies: the portable kernels
# under a CPU without AVX-512 (qemu-user), and the NUMA placement tests in a two-node VM
# (qemu-system-x86 + a Debian kernel image); Slurm and munge for the fleet-sweep test on
# a single-node cluster on localhost (scripts/slurm/local_cluster.sh; installing them
# starts no daemon where there is no systemd, and the test starts its own). Optional:
# where they cannot be installed, those tests say SKIPPED with the reason.
optional_packages=(qemu-user qemu-system-x86 linux-image-amd64 slurmctld slurmd slurm-client munge)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

optional_missing=()
for p in "${optional_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    optional_missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ] && [ ${#optional_missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present (and the optional ones)"
  exit 0
fi

echo "bootstrap: installing ${missing[*]} ${optional_missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || echo "bootstrap: apt-get update failed; trying with the current package lists" >&2
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ ${#optional_missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${optional_missing[@]}" ||
    echo "bootstrap: optional ${optional_missing[*]} could not be installed; the tests that need them will skip" >&2
fi
echo "bootstrap: done"

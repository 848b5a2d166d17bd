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

# Root, or sudo, is needed for the required packages only: a missing optional one is a
# note (its tests skip), never a failure, and never a password prompt.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if [ ${#missing[@]} -gt 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "bootstrap: required packages present; optional ${optional_missing[*]} not installed (needs root or" \
      "password-less sudo): the tests that need them will skip"
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  $SUDO apt-get update -qq || echo "bootstrap: apt-get update failed; trying with the current package lists" >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Optional packages: only those the package lists offer. The policy is read whole before it
# is matched: `apt-cache ... | grep -q` under pipefail fails when grep stops early and
# apt-cache dies of SIGPIPE, which made every optional package look unavailable.
offered() {
  local policy
  policy=$(apt-cache policy "$1" 2>/dev/null) || return 1
  [[ $policy == *"Candidate: "[!\(]* ]]
}
# Lists that offer none of them (a fresh image's are often empty): refreshed once, unless the
# required packages' install just did.
if [ ${#missing[@]} -eq 0 ]; then
  for p in "${optional_missing[@]}"; do
    if ! offered "$p"; then
      $SUDO apt-get update -qq || echo "bootstrap: apt-get update failed; trying with the current package lists" >&2
      break
    fi
  done
fi
installable=() unavailable=()
for p in "${optional_missing[@]}"; do
  if offered "$p"; then installable+=("$p"); else unavailable+=("$p"); fi
done
if [ ${#unavailable[@]} -gt 0 ]; then
  echo "bootstrap: optional ${unavailable[*]} not in the package lists (apt-get update, then run this again" \
    "to try them): the tests that need them will skip"
fi
if [ ${#installable[@]} -gt 0 ]; then
  echo "bootstrap: installing optional ${installable[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${installable[@]}" ||
    echo "bootstrap: optional ${installable[*]} could not be installed; the tests that need them will skip" >&2
fi
echo "bootstrap: done"

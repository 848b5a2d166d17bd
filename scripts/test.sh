#!/usr/bin/env bash
# The README's test command: install what is missing, configure, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --workflow --preset release

#!/usr/bin/env bash
# Installs what is missing, builds with -Werror, and runs every test: unit
# tests, the golden /metrics test and the end-to-end tests on the real kernel
# (root and nf_conntrack needed; with CI=true a skip of those is a failure).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNFCE_WERROR=ON \
  -DNFCE_BUILD_TESTS=ON >/dev/null
cmake --build build-test -j"$(nproc)"
cd build-test
ctest --output-on-failure --timeout 900

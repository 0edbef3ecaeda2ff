#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, and runs the exporter with the default
# flags (listening on :19372). Extra arguments go to the exporter.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DNFCE_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
exec ./build/exporter/nf_conntrack_exporter "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, and runs every test:
#  1. a gcc build with -Werror: unit tests, the golden /metrics test, the
#     monitoring bundle, deployment and security tests, and the end-to-end
#     tests on the real kernel (root and nf_conntrack needed; with CI=true a
#     skip of those is a failure);
#  2. the same suite again, built with clang under AddressSanitizer and
#     UndefinedBehaviorSanitizer;
#  3. every libFuzzer target for a bounded time (NFCE_FUZZ_SECONDS, 20 s).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
jobs=$(nproc)

echo "=== gcc, -Werror"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNFCE_WERROR=ON \
  -DNFCE_BUILD_TESTS=ON >/dev/null
cmake --build build-test -j"$jobs"
(cd build-test && ctest --output-on-failure --timeout 900)

echo "=== clang, ASan + UBSan"
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNFCE_SANITIZE=ON -DNFCE_FUZZ=ON -DNFCE_BUILD_TESTS=ON >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd build-asan && ctest --output-on-failure --timeout 900)

echo "=== fuzzing"
bash tests/fuzz/run_fuzzers.sh build-asan "${NFCE_FUZZ_SECONDS:-20}"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target for a bounded time, seeded with the fixtures;
# fails on any crash, leak or sanitizer report, and keeps the input that
# caused it in tests/fuzz/crashes/ (add it to the fixtures as a regression).
#
# usage: run_fuzzers.sh FUZZ_BUILD_DIR [SECONDS_PER_TARGET]
set -euo pipefail
build=$(realpath "$1")
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../fixtures
source "$here/../lib.sh"
init_workspace

seed() {  # seed TARGET FILES...: a corpus folder from fixture files
  local target=$1 f i=0
  shift
  mkdir -p "$work/$target"
  for f in "$@"; do cp "$f" "$work/$target/seed-$((i++))"; done
}
seed stat $(find "$fixtures" -path '*net/stat/*' -type f)
seed slabinfo $(find "$fixtures" \( -name slabinfo -o -path '*kernel/slab/*' \) -type f)
seed sysctl $(find "$fixtures" -path '*sys/net/*' -type f | sed -n 1,40p)
seed web_config "$here/seeds/web_config/"*
seed conntrack_message "$here/seeds/conntrack_message/"*
seed decoder_differential "$here/seeds/conntrack_message/"*
seed namespace_identity "$here/seeds/namespace_identity/"*

failures=0
for target in stat slabinfo sysctl conntrack_message decoder_differential \
  web_config namespace_identity; do
  mkdir -p "$here/crashes"
  if "$build/tests/fuzz/fuzz_$target" "$work/$target" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=1024 -artifact_prefix="$here/crashes/$target-" \
    -print_final_stats=1 >"$work/$target.log" 2>&1; then
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/$target.log")
    echo "ok   fuzz_$target: $runs inputs in ${seconds} s, no crash"
  else
    echo "FAIL fuzz_$target:"
    tail -40 "$work/$target.log"
    failures=$((failures + 1))
  fi
done
((failures == 0)) || fail "$failures fuzz target(s) found a crash (inputs in tests/fuzz/crashes/)"
echo "fuzz: all targets clean"

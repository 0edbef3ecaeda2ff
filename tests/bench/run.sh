#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The benchmark, on demand (not part of the test suite): builds the exporter
# in Release mode, installs node_exporter if it is missing, and runs
# bench.py in a private network namespace that is always deleted.
#
# usage: sudo tests/bench/run.sh [bench.py flags, e.g. --scrapes 1000]
#   --baseline BINARY: an older exporter measured beside ours (latency and
#   CPU compared in the same run), e.g. one built from an earlier commit.
#   --big-sizes 1048576,2097152: tables of millions; nf_conntrack_max (global)
#   is raised for them from the initial namespace and put back on every exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/lib.sh"
((EUID == 0)) || fail "needs root (a network namespace, conntrack -R)"
[[ -e /proc/sys/net/netfilter/nf_conntrack_count ]] || fail "needs nf_conntrack"
cd "$root"
bash scripts/install-deps.sh test
if ! command -v prometheus-node-exporter >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    prometheus-node-exporter >/dev/null
fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DNFCE_BUILD_TESTS=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target nf_conntrack_exporter flows_refresh_bench \
  flows_floor decoder_bench decoder_equality scrape_floor

ns=nfce-bench-$$
# --big-sizes needs a larger limit: it is global, so it is raised here, in
# the initial namespace, for the run only, and put back on every exit.
old_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
trap 'ip netns del "$ns" 2>/dev/null || true
  sysctl -qw net.netfilter.nf_conntrack_max="$old_max"' EXIT
big=$(printf '%s\n' "$@" | sed -n '/^--big-sizes/{s/^--big-sizes=\{0,1\}//;p;n;p}' |
  tr ',' '\n' | grep -E '^[0-9]+$' | sort -n | tail -1 || true)
if [[ -n "$big" ]] && ((big > old_max)); then
  sysctl -qw net.netfilter.nf_conntrack_max="$big"
  echo "nf_conntrack_max raised from $old_max to $big for the run"
fi
ip netns add "$ns"
ip -n "$ns" link set lo up
# Scrapes are TCP on loopback: untracked, so a full table cannot drop them.
ip netns exec "$ns" nft -f - <<'NFT'
table inet nfce_bench {
  chain raw_prerouting { type filter hook prerouting priority raw; meta l4proto tcp notrack; }
  chain raw_output { type filter hook output priority raw; meta l4proto tcp notrack; }
}
NFT
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
echo "node_exporter: $(prometheus-node-exporter --version 2>&1 | sed -n 1p)"
ip netns exec "$ns" python3 tests/bench/bench.py \
  --exporter build-bench/exporter/nf_conntrack_exporter \
  --flows-bench build-bench/tests/bench/flows_refresh_bench \
  --decoder-bench build-bench/tests/bench/decoder_bench \
  --decoder-equality build-bench/tests/reference/decoder_equality \
  --floor build-bench/tests/bench/scrape_floor \
  --flows-floor build-bench/tests/bench/flows_floor "$@"

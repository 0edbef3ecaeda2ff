#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Top lists at millions of entries (on demand, not part of the test suite):
# a table of ENTRIES entries from SOURCES sources, in three make-ups
# (uniform; 30 % from one address; source-NATed over ENTRIES / 5 tuples, one
# with 60,000 ports in use), each in a network namespace of its own that is
# always deleted. For each: the flows refresh's user CPU with the top lists
# on (top 10) and off (top 0), taken in turn, medians; and the doctor's
# report checked against the truth (tests/e2e/top_lists.py).
# nf_conntrack_max is global: raised here for the run if it is smaller than
# ENTRIES, and put back on every exit.
#
# usage: sudo tests/bench/top_lists.sh [--entries N] [--sources N]
#          [--repeats N] [--baseline FLOWS_REFRESH_BENCH]
#   --baseline: flows_refresh_bench built from an earlier commit, measured
#   in the same run on the same tables.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/lib.sh"
((EUID == 0)) || fail "needs root (network namespaces, conntrack -R)"
[[ -e /proc/sys/net/netfilter/nf_conntrack_count ]] || fail "needs nf_conntrack"
entries=2097152 sources=8750 repeats=5 baseline=
while (($#)); do
  case $1 in
    --entries) entries=$2; shift 2 ;;
    --sources) sources=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --baseline) baseline=$(realpath "$2"); shift 2 ;;
    *) fail "unknown argument $1" ;;
  esac
done
cd "$root"
bash scripts/install-deps.sh test
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DNFCE_BUILD_TESTS=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target nf_conntrack_exporter flows_refresh_bench
exporter=$root/build-bench/exporter/nf_conntrack_exporter
bench=$root/build-bench/tests/bench/flows_refresh_bench

work=$(mktemp -d)
ns=
old_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
trap '[[ -z "$ns" ]] || ip netns del "$ns" 2>/dev/null || true
  sysctl -qw net.netfilter.nf_conntrack_max="$old_max"; rm -rf "$work"' EXIT
if ((entries > old_max)); then
  sysctl -qw net.netfilter.nf_conntrack_max="$entries"
  echo "nf_conntrack_max raised from $old_max to $entries for the run"
fi
echo "machine: $(nproc) CPUs, kernel $(uname -r); $entries entries from $sources sources, $repeats rounds"

# user_ms TOOL TOP: one refresh's user CPU, in ms.
user_ms() {
  ip netns exec "$ns" "$1" 1 "$2" | tr ' ' '\n' | sed -n 's/^user_ms=//p'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '\n%-8s | %-22s | %-14s | %-15s | %-6s\n' make-up tool "top on user ms" \
  "top off user ms" "on/off"
status=0
for makeup in uniform heavy snat; do
  ns=nfce-topbench-$makeup-$$
  ip netns add "$ns"
  ip netns exec "$ns" python3 tests/e2e/top_lists.py fill "$makeup" "$entries" \
    "$sources" "$work/truth.json"
  tools=("$bench")
  [[ -z "$baseline" ]] || tools+=("$baseline")
  for tool in "${tools[@]}"; do
    : >"$work/on" && : >"$work/off"
    for ((i = 0; i < repeats; i++)); do
      user_ms "$tool" 10 >>"$work/on"
      user_ms "$tool" 0 >>"$work/off"
    done
    on=$(median <"$work/on") off=$(median <"$work/off")
    ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", a / b }')
    name=ours; [[ "$tool" == "$bench" ]] || name=baseline
    printf '%-8s | %-22s | %14.1f | %15.1f | %6s\n' "$makeup" "$name" "$on" "$off" "$ratio"
    if [[ "$tool" == "$bench" ]] && ! awk -v r="$ratio" 'BEGIN { exit !(r <= 2) }'; then
      echo "FAIL  $makeup: user CPU with the top lists on is $ratio x off (at most 2)"
      status=1
    fi
  done
  ip netns exec "$ns" "$exporter" doctor --kernel-log= --output=json \
    >"$work/doctor.json" || (($? < 3))
  ip netns exec "$ns" "$exporter" doctor --kernel-log= >"$work/doctor.txt" || (($? < 3))
  python3 tests/e2e/top_lists.py check "$makeup" "$work/truth.json" \
    "$work/doctor.json" "$work/doctor.txt" || status=1
  ip netns del "$ns"
  ns=
done
exit "$status"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Load on the real kernel, bounded in time: wrk scrapes /metrics over many
# connections for LOAD_SECONDS (60) while the table churns in the exporter's
# own network namespace (entries inserted and deleted in a loop). No request
# may fail, the exporter must survive, and its resident memory must stay
# within 8 MiB of what it was after warm-up.
#
# usage: load_test.sh EXPORTER
set -euo pipefail
exporter=$(realpath "$1")
seconds=${LOAD_SECONDS:-60}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/../e2e/netns_lib.sh"
require_conntrack_root
require_tools ip nft conntrack wrk curl
init_workspace "nfce-load-$$"

port=19372
create_test_netns "$ns" "$port"
# 64 connections may all scrape at once: allow that many (beyond
# --web.max-requests the exporter answers 503 by design).
ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$port" \
  --web.max-requests=64 \
  --collector.flows --collector.flows.interval=2s 2>"$work/exporter.log" &
pids+=($!)
exporter_pid=${pids[-1]}
in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$port/metrics 10"
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$exporter_pid/status"; }

# Churn: 5,000 entries in, then out, over and over, until the load ends.
conntrack_entries 5000 0 | sed 's/$/ -w 3/' >"$work/churn.txt"
churn() {
  local deadline=$((SECONDS + seconds + 5)) rounds=0
  while ((SECONDS < deadline && rounds < 100000)); do
    ip netns exec "$ns" conntrack -R "$work/churn.txt" 2>/dev/null || true
    ip netns exec "$ns" conntrack -D -w 3 >/dev/null 2>&1 || true
    rounds=$((rounds + 1))
  done
  echo "$rounds" >"$work/churn.rounds"
}
churn &
pids+=($!)

in_ns wrk -t2 -c16 -d5s "http://127.0.0.1:$port/metrics" >/dev/null  # warm up
before=$(rss)
max=$before
in_ns wrk -t2 -c64 -d"${seconds}s" --timeout 10s --latency \
  "http://127.0.0.1:$port/metrics" >"$work/wrk.txt" &
wrk_pid=$!
while kill -0 "$wrk_pid" 2>/dev/null; do
  now=$(rss) || fail "the exporter died under load"
  ((now > max)) && max=$now
  sleep 1
done
wait "$wrk_pid" || fail "wrk failed: $(cat "$work/wrk.txt")"
after=$(rss) || fail "the exporter died under load"
cat "$work/wrk.txt"
wait "${pids[-1]}" 2>/dev/null || true
echo "churn: $(cat "$work/churn.rounds" 2>/dev/null || echo '?') rounds of 5,000 inserts and deletes"

requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
((requests > 0)) || fail "wrk made no request"
if grep -qE 'Socket errors|Non-2xx' "$work/wrk.txt"; then
  fail "requests failed under load: $(grep -E 'Socket errors|Non-2xx' "$work/wrk.txt")"
fi
echo "ok   $requests requests over 64 connections in ${seconds} s, none failed"
echo "ok   resident memory: $before KiB after warm-up, at most $max KiB under load, $after KiB after"
((max - before <= 8192)) || fail "resident memory grew by $((max - before)) KiB under load (bound: 8 MiB)"
curl_out=$(in_ns curl -fsS "http://127.0.0.1:$port/metrics") || fail "the exporter stopped serving"
grep -q '^nf_conntrack_scrape_collector_success{collector="flows"} 1' <<<"$curl_out" ||
  fail "the flows collector failed under churn"
echo "load: all checks passed"

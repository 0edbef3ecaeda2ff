#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The opt-in collectors on the real kernel, in network namespaces of their
# own (always deleted): flows counts a known mixture exactly, events move by
# exactly the entries inserted and deleted, an overrun of a small event socket
# is counted while the exporter keeps serving, and netns reports three
# namespaces with three fills.
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
require_tools ip nft conntrack curl ss
init_workspace "nfce-deep-$$"
extra_ns=()
cleanup_deep() {
  local n
  for n in "${extra_ns[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  cleanup_workspace
}
trap cleanup_deep EXIT

port=19372
create_test_netns "$ns" "$port"
ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$port" \
  --collector.flows --collector.flows.interval=1s --collector.events \
  2>"$work/exporter.log" &
pids+=($!)
in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$port/metrics 10"

step "flows: a known mixture"
{
  awk 'BEGIN {
    for (i = 0; i < 3000; i++) printf "-I -s 10.1.%d.%d -d 10.9.0.1 -p tcp --sport 1000 --dport 80 --state ESTABLISHED -u ASSURED -t 7200\n", i / 256, i % 256
    for (i = 0; i < 2000; i++) printf "-I -s 10.2.%d.%d -d 10.9.0.1 -p tcp --sport 1000 --dport 80 --state TIME_WAIT -t 7200\n", i / 256, i % 256
    for (i = 0; i < 1000; i++) printf "-I -s 10.3.%d.%d -d 10.9.0.1 -p udp --sport 1000 --dport 53 -t 7200\n", i / 256, i % 256
    for (i = 0; i < 500; i++)  printf "-I -s 2001:db8::%x -d 2001:db8:1::1 -p tcp --sport 1000 --dport 443 --state ESTABLISHED -u ASSURED -t 7200\n", i + 1
    for (i = 0; i < 400; i++)  printf "-I -s 10.4.%d.%d -d 10.9.0.1 -p udp --sport 1000 --dport 53 -t 7200 -w 7\n", i / 256, i % 256
  }'
} >"$work/mix.txt"
in_ns conntrack -R "$work/mix.txt"
expect_eq "conntrack -C" "$(in_ns conntrack -C)" 6900
# A refresh may have run while conntrack -R was still inserting: wait for
# one that saw all of them.
wait_value "sum of nf_conntrack_flows" "sum_of 'nf_conntrack_flows{'" 6900 10
metrics=$(scrape)
f='nf_conntrack_flows{family="ipv4",protocol="tcp",state="established",zone="0"}'
expect_eq "$f" "$(value "$f" "$metrics")" 3000
f='nf_conntrack_flows{family="ipv4",protocol="tcp",state="time_wait",zone="0"}'
expect_eq "$f" "$(value "$f" "$metrics")" 2000
f='nf_conntrack_flows{family="ipv4",protocol="udp",state="unreplied",zone="0"}'
expect_eq "$f" "$(value "$f" "$metrics")" 1000
f='nf_conntrack_flows{family="ipv6",protocol="tcp",state="established",zone="0"}'
expect_eq "$f" "$(value "$f" "$metrics")" 500
f='nf_conntrack_flows{family="ipv4",protocol="udp",state="unreplied",zone="7"}'
expect_eq "$f" "$(value "$f" "$metrics")" 400
expect_eq "flows series" "$(grep -c '^nf_conntrack_flows{' <<<"$metrics")" 5
expect_eq 'success{flows}' "$(value 'nf_conntrack_scrape_collector_success{collector="flows"}' "$metrics")" 1

step "events: insert and delete M entries"
m=1500
new_before=$(sum_of 'nf_conntrack_events_total{type="new"')
destroy_before=$(sum_of 'nf_conntrack_events_total{type="destroy"')
awk -v m=$m 'BEGIN { for (i = 0; i < m; i++) printf "-I -s 10.5.%d.%d -d 10.9.0.1 -p udp --sport 2000 --dport 53 -t 7200 -w 9\n", i / 256, i % 256 }' \
  >"$work/events.txt"
in_ns conntrack -R "$work/events.txt"
wait_value "events_total{type=new} rise" "echo \$((\$(sum_of 'nf_conntrack_events_total{type=\"new\"') - new_before))" $m 10
in_ns conntrack -D -w 9 >/dev/null 2>&1
wait_value "events_total{type=destroy} rise" "echo \$((\$(sum_of 'nf_conntrack_events_total{type=\"destroy\"') - destroy_before))" $m 10
expect_eq "events overruns" "$(value nf_conntrack_events_overruns_total)" 0
expect_eq 'success{events}' "$(value 'nf_conntrack_scrape_collector_success{collector="events"}')" 1

step "events: a flood overruns a small socket; the exporter keeps serving"
flood_ns=nfce-flood-$$
extra_ns+=("$flood_ns")
create_test_netns "$flood_ns" "$port"
ip netns exec "$flood_ns" "$exporter" --web.listen-address="127.0.0.1:$port" \
  --collector.events --collector.events.buffer-bytes=4096 2>"$work/flood.log" &
pids+=($!)
ip netns exec "$flood_ns" bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$port/metrics 10"
conntrack_entries 50000 0 >"$work/flood.txt"
ip netns exec "$flood_ns" conntrack -R "$work/flood.txt"
flood_metrics=$(ip netns exec "$flood_ns" curl -fsS --max-time 10 "http://127.0.0.1:$port/metrics")
overruns=$(value nf_conntrack_events_overruns_total "$flood_metrics")
((overruns > 0)) || fail "no overrun counted after 50,000 events into a 4 KiB socket"
echo "ok   overruns counted: $overruns"
expect_eq 'flood success{events}' "$(value 'nf_conntrack_scrape_collector_success{collector="events"}' "$flood_metrics")" 1
expect_eq 'flood nf_conntrack_entries' "$(value nf_conntrack_entries "$flood_metrics")" 50000

step "netns: three namespaces, three fills"
for fill in 100 200 300; do
  n=nfce-netns-$fill-$$
  extra_ns+=("$n")
  create_test_netns "$n" "$port"
  conntrack_entries "$fill" 0 >"$work/netns-$fill.txt"
  ip netns exec "$n" conntrack -R "$work/netns-$fill.txt"
done
host_port=$(free_port)
"$exporter" --web.listen-address="127.0.0.1:$host_port" --collector.disable-defaults \
  --collector.netns 2>"$work/netns.log" &
pids+=($!)
wait_http "http://127.0.0.1:$host_port/metrics" 10
netns_metrics=$(curl -fsS "http://127.0.0.1:$host_port/metrics")
for fill in 100 200 300; do
  f="nf_conntrack_netns_entries{netns=\"nfce-netns-$fill-$$\"}"
  expect_eq "$f" "$(value "$f" "$netns_metrics")" "$fill"
done
expect_eq 'success{netns}' "$(value 'nf_conntrack_scrape_collector_success{collector="netns"}' "$netns_metrics")" 1

step "netns: namespaces that vanish during scrapes"
failures=0
for round in $(seq 1 20); do
  gone=nfce-gone-$round-$$
  extra_ns+=("$gone")
  ip netns add "$gone"
  (sleep 0.0$((RANDOM % 10)); ip netns del "$gone" 2>/dev/null || true) &
  out=$(curl -fsS --max-time 10 "http://127.0.0.1:$host_port/metrics") || { failures=$((failures + 1)); continue; }
  grep -q '^nf_conntrack_scrape_collector_success{collector="netns"} 1' <<<"$out" ||
    failures=$((failures + 1))
  wait $!
done
((failures == 0)) || fail "$failures of 20 scrapes failed while namespaces vanished"
echo "ok   20 scrapes served with success{netns} 1 while namespaces vanished"

echo "deep e2e: all checks passed"

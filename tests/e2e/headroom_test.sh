#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Evictable headroom on the real kernel, in two network namespaces of its own
# (always deleted): a server whose table is filled to its limit with known
# numbers of assured and unassured entries, and a client that opens real new
# flows to it over a veth pair.
#
# 1. 10,000 assured entries and the rest unassured UDP: the flows collector's
#    assured series equals 10,000, the doctor's headroom line is exact; new
#    flows evict (early_drop rises, drop does not), and in a real Prometheus
#    with our rules ConntrackTableCritical fires but ConntrackTableFullOfAssured
#    does not.
# 2. Only assured entries: new flows are dropped (drop rises, early_drop does
#    not), and ConntrackTableFullOfAssured fires.
# 3. On that table, a probe the way the kubelet makes one (a new connection
#    from the host to the exporter's port) and a new scrape from the client
#    both fail; after the first sh block of the runbook's "Keep the
#    monitoring path alive" (its notrack rules, run as written) both
#    succeed, and so does the runbook page the alerts link to.
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
require_tools ip nft conntrack curl prometheus promtool python3
init_workspace "nfce-headroom-$$"   # the server; $ns
client=nfce-headc-$$
more_ns+=("$client")

eport=19372 pport=9090
create_test_netns "$ns" "$eport" "$pport"
ip netns add "$client"
ip link add head-c0 netns "$client" type veth peer name head-s0 netns "$ns"
ip -n "$client" addr add 192.0.2.2/24 dev head-c0
ip -n "$ns" addr add 192.0.2.1/24 dev head-s0
ip -n "$client" link set lo up
ip -n "$client" link set head-c0 up
ip -n "$ns" link set head-s0 up
# A static neighbour: 200 datagrams sent at once would overflow the queue
# of packets waiting for ARP, and never reach the server.
ip -n "$client" neigh add 192.0.2.1 dev head-c0 \
  lladdr "$(ip -n "$ns" -o link show head-s0 | awk '{ for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1) }')"

max=$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_max)
((max > 20000 && max <= 2097152)) || skip_or_fail "nf_conntrack_max=$max cannot be filled in a test"

# The dump of a full table costs more than the default CPU bound allows at
# a 1 s interval: no bound here, so the series follow the fills at once.
ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$eport" \
  --web.listen-address="192.0.2.1:$eport" \
  --collector.flows --collector.flows.interval=1s --collector.flows.max-cpu=0 \
  2>"$work/exporter.log" &
pids+=($!)
port=$eport
in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$eport/metrics 10"
prometheus_in_ns "$pport" "$eport" rules

counter() { value "nf_conntrack_stat_$1_total"; }
# new_flows FIRST COUNT: one UDP datagram from each client port in
# [FIRST, FIRST + COUNT) to the server: each needs a new entry there.
new_flows() { udp_from_ports "$client" 192.0.2.2 192.0.2.1 9 "$1" "$2"; }
# The flows collector's entries and assured entries, summed over labels.
flows_total() { sum_of 'nf_conntrack_flows{'; }
assured_total() { sum_of 'nf_conntrack_flows_assured_entries{'; }
wait_dump() {  # wait_dump TOTAL: until a dump has seen TOTAL entries
  wait_value "entries the flows collector dumped" flows_total "$1" 60
}
# state_of ALERT: "firing", "pending" or "" (inactive).
state_of() { alerts_named "$1" | awk '{ print $2 }' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
doctor() { ip netns exec "$ns" "$exporter" doctor --kernel-log= --no-namespaces "$@"; }
headroom_line() {
  local report
  report=$(doctor --output=text) || true
  awk '/^Table$/ { t = 1; next } t && / are assured: / { sub(/^  /, ""); print; exit }' <<<"$report"
}
client_entries() { in_ns conntrack -L -s 192.0.2.2 2>/dev/null | wc -l; }

assured=10000
step "1. $assured assured entries, $((max - assured)) unassured UDP: the table at its limit"
conntrack_entries "$assured" 0 >"$work/assured.txt"
conntrack_udp_entries "$((max - assured))" 0 >"$work/udp.txt"
in_ns conntrack -R "$work/assured.txt"
in_ns conntrack -R "$work/udp.txt"
expect_eq "entries" "$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_count)" "$max"
wait_dump "$max"
expect_eq "nf_conntrack_flows_assured_entries, summed" "$(assured_total)" "$assured"
expect_eq "the doctor's headroom line" "$(headroom_line)" \
  "of $max entries, $assured are assured: $((max - assured)) could be evicted for new connections"

doctor --output=json >"$work/doctor1.json" || true
python3 - "$max" "$assured" "$work/doctor1.json" <<'PY' || fail "the doctor's JSON does not judge a table that can evict"
import json, sys
limit, assured = int(sys.argv[1]), int(sys.argv[2])
d = json.load(open(sys.argv[3]))
codes = {f["code"]: f for f in d["findings"]}
critical = codes["table_critical"]
assert critical["severity"] == "warning", critical
assert critical["numbers"]["evictable"] == limit - assured, critical
assert "full_of_assured" not in codes, codes.keys()
# Unassured: notrack or a shorter unreplied timeout, not more room.
unreplied = codes["unreplied_dominates"]
assert unreplied["numbers"]["shorten"]["sysctl"] == "udp_timeout", unreplied
PY
echo "ok   doctor: a warning, $((max - assured)) evictable, a shorter unreplied UDP timeout advised"
# The server counts what passes its conntrack: a datagram received had its
# entry, whatever made room for it.
ip netns exec "$ns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.1", 9))
with open(sys.argv[1], "a", buffering=1) as out:
    while True:
        s.recv(64)
        out.write("x\n")
' "$work/received" &
pids+=($!)
deadline=$((SECONDS + 10))
until [[ "$(in_ns ss -Hlun 'sport = :9')" == *UNCONN* ]]; do
  ((SECONDS < deadline)) || fail "the UDP counter did not start"
  sleep 0.2
done
received() { [[ -f "$work/received" ]] && wc -l <"$work/received" || echo 0; }
# Kept at the limit with unassured entries not used so far.
extra=$max
top_up() {
  local n
  n=$((max - $(in_ns cat /proc/sys/net/netfilter/nf_conntrack_count)))
  ((n > 0)) || return 0
  conntrack_udp_entries "$n" "$extra" >"$work/top-up.txt"
  extra=$((extra + n))
  in_ns conntrack -R "$work/top-up.txt" 2>/dev/null || true
}
early_before=$(counter early_drop) drop_before=$(counter drop)
# A table-full drop anywhere on the host (another test's) lets the kernel's
# GC evict unassured entries of any namespace over 95 % for up to a pass
# over the table (a minute or so): then room is made without early_drop.
# New flows are sent until early_drop itself shows, within 2 minutes.
sent=0 first=20000 deadline=$((SECONDS + 120))
while :; do
  top_up
  new_flows "$first" 50
  first=$((first + 50)) sent=$((sent + 50))
  wait_value "datagrams the server received" received "$sent" 30 >/dev/null
  early1=$(($(counter early_drop) - early_before))
  ((early1 > 0)) && break
  ((SECONDS < deadline)) || fail "early_drop did not rise in 2 minutes: nothing was evicted"
  echo "     room was made without early_drop (the kernel's GC evicting); again"
done
drop1=$(($(counter drop) - drop_before))
echo "     measured: $sent new flows, all received; early_drop +$early1, drop +$drop1"
((drop1 == 0)) || fail "drop rose by $drop1 with a table that could evict"
wait_value "ConntrackTableCritical" "state_of ConntrackTableCritical" firing 60
# The assured ratio is there (a sample), and below the threshold: no alert.
wait_value "instance:nf_conntrack_assured_usage:ratio has a sample" \
  "in_ns curl -fsS 'http://127.0.0.1:$pport/api/v1/query' --data-urlencode 'query=count(instance:nf_conntrack_assured_usage:ratio)' | python3 -c 'import json,sys; r=json.load(sys.stdin)[\"data\"][\"result\"]; print(r[0][\"value\"][1] if r else 0)'" 1 60
[[ -z "$(state_of ConntrackTableFullOfAssured)" ]] ||
  fail "ConntrackTableFullOfAssured is $(state_of ConntrackTableFullOfAssured) for a table that can evict"
echo "ok   ConntrackTableFullOfAssured does not fire"

step "2. only assured entries: the table at its limit cannot evict"
in_ns conntrack -F 2>/dev/null
conntrack_entries "$max" 0 >"$work/all-assured.txt"
in_ns conntrack -R "$work/all-assured.txt"
expect_eq "entries" "$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_count)" "$max"
wait_dump "$max"
expect_eq "nf_conntrack_flows_assured_entries, summed" "$(assured_total)" "$max"
expect_eq "the doctor's headroom line" "$(headroom_line)" \
  "of $max entries, $max are assured: 0 could be evicted for new connections"
early_before=$(counter early_drop) drop_before=$(counter drop)
new_flows 30000 200
# Every new flow is refused: one drop each.
wait_value "drop, risen by the 200 new flows" \
  "echo \$((\$(counter drop) - $drop_before))" 200 30
early2=$(($(counter early_drop) - early_before)) drop2=$(($(counter drop) - drop_before))
echo "     measured: early_drop +$early2, drop +$drop2"
((early2 == 0)) || fail "early_drop rose by $early2 with only assured entries"
expect_eq "the client's entries in the full table" "$(client_entries)" 0
wait_value "ConntrackTableFullOfAssured" "state_of ConntrackTableFullOfAssured" firing 60

doctor --output=json >"$work/doctor.json" || true
python3 - "$max" "$work/doctor.json" <<'PY' || fail "the doctor's JSON does not report a table full of assured entries"
import json, sys
limit = int(sys.argv[1])
d = json.load(open(sys.argv[2]))
codes = {f["code"]: f for f in d["findings"]}
assert d["verdict"] == "CRITICAL", d["verdict"]
assert d["makeup"]["assured"] == limit, d["makeup"]["assured"]
f = codes["full_of_assured"]["numbers"]
assert f["assured"] == limit and f["limit"] == limit, f
assert codes["table_critical"]["numbers"]["evictable"] == 0, codes["table_critical"]
PY
echo "ok   doctor: CRITICAL, full_of_assured, evictable 0"

step "3. a new connection to the exporter on that table, without and with the runbook's notrack rules"
# probe URL: a new connection each time (curl), as the kubelet's probe.
probe() { in_ns curl -fsS --connect-timeout 3 --max-time 6 -o /dev/null "$1"; }
remote_scrape() {
  ip netns exec "$client" curl -fsS --connect-timeout 3 --max-time 6 -o /dev/null \
    "http://192.0.2.1:$eport/-/ready"
}
# The harness exempts the exporter's port from tracking (create_test_netns)
# so that its own scrapes live; here that exemption is what is tested, so
# it goes (Prometheus is no longer needed).
in_ns nft flush chain inet nfce_test raw_prerouting
in_ns nft flush chain inet nfce_test raw_output
if probe "http://127.0.0.1:$eport/-/ready"; then
  fail "a local probe connected through a table full of assured entries: the check would not bite"
fi
if remote_scrape; then
  fail "a new scrape from the client connected through the full table: the check would not bite"
fi
echo "ok   without notrack: the local probe and a new scrape are both dropped"
rules=$(python3 - "$root/docs/runbook.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text.split("## Keep the monitoring path alive", 1)[1]
print(re.search(r"```sh\n(.*?)```", section, re.S).group(1), end="")
PY
)
[[ "$rules" == *"dport $eport notrack"* ]] || fail "the runbook's notrack block does not name port $eport"
echo "$rules" | sed 's/^/     /'
in_ns bash -euo pipefail -c "$rules"
probe "http://127.0.0.1:$eport/-/ready" ||
  fail "with the runbook's notrack rules, a local probe still fails on a full table"
remote_scrape || fail "with the runbook's notrack rules, a new scrape still fails on a full table"
runbook_page=$(in_ns curl -fsS --connect-timeout 3 --max-time 6 "http://127.0.0.1:$eport/runbook")
[[ "$runbook_page" == *'id="conntracktablefullofassured"'* ]] ||
  fail "/runbook has no section for ConntrackTableFullOfAssured"
expect_eq "the table, still full" "$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_count)" "$max"
echo "ok   with notrack: the local probe, a new scrape and /runbook all answer on the full table"
echo "headroom e2e: all checks passed (mostly unassured: $sent flows, early_drop +$early1, drop +$drop1; all assured: early_drop +$early2, drop +$drop2; notrack rules keep probes and scrapes alive)"

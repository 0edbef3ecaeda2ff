#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Source-NAT port exhaustion on the real kernel, in a lab of three network
# namespaces of its own (always deleted): a client, a router that
# masquerades to a 100-port range, and a server, on TEST-NET addresses that
# exist only inside the lab.
#
# 1. 60 UDP flows and 20 TCP connections from distinct client ports: the
#    top SNAT series of the exporter on the router equal 60 and 20, and the
#    SNAT entries by protocol the same.
# 2. 150 UDP flows more: the range holds 100, so the kernel's insert_failed
#    rises; the tuple shows 100 of 100 ports, ConntrackSNATPortsExhausted
#    fires in a real Prometheus with our rules, and the doctor names the
#    tuple (and does not tell the client to slow down).
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
require_tools ip nft conntrack curl prometheus promtool python3
init_workspace "nfce-nat-$$"   # the router; $ns

eport=19372 pport=9090
create_test_netns "$ns" "$eport" "$pport"
client=nfce-natc-$$ server=nfce-nats-$$
router_lab "$client" "$server"
# The router's own setting (its namespace, ours): UDP entries that outlive
# the test.
in_ns sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
in_ns nft -f - <<'NFT'
table ip nfce_nat {
  chain post {
    type nat hook postrouting priority srcnat;
    oifname "r1" meta l4proto { tcp, udp } masquerade to :20000-20099
  }
}
NFT
ports=100

# The server answers TCP on 80 and holds each connection.
ip netns exec "$server" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.2", 80)); s.listen(256); held = []
while True:
    c, _ = s.accept(); held.append(c)
' &
pids+=($!)
ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$eport" \
  --collector.flows --collector.flows.interval=1s \
  --collector.flows.snat-ports=$ports 2>"$work/exporter.log" &
pids+=($!)
port=$eport
in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$eport/metrics 10"

# udp_flows FIRST COUNT: one UDP datagram from each client port in
# [FIRST, FIRST + COUNT) to the server's port 53.
udp_flows() { udp_from_ports "$client" 192.0.2.2 198.51.100.2 53 "$1" "$2"; }
tuple='nat_address="198.51.100.1",destination="198.51.100.2"'
udp_series="nf_conntrack_flows_top_snat_ports_in_use{$tuple,port=\"53\",protocol=\"udp\"}"
tcp_series="nf_conntrack_flows_top_snat_ports_in_use{$tuple,port=\"80\",protocol=\"tcp\"}"
counter() { value "nf_conntrack_stat_$1_total"; }

step "60 UDP flows and 20 TCP connections through the masquerade"
udp_flows 40000 60
# 20 connections, held open until the test ends.
ip netns exec "$client" python3 -c '
import socket, time
held = []
for p in range(41000, 41020):
    s = socket.socket(); s.bind(("192.0.2.2", p))
    s.connect(("198.51.100.2", 80)); held.append(s)
print("connected", flush=True)
time.sleep(600)
' >"$work/tcp.out" &
pids+=($!)
wait_for_line "$work/tcp.out" connected 20 || fail "the TCP client did not connect"
wait_value "$udp_series" "value '$udp_series'" 60 20
wait_value "$tcp_series" "value '$tcp_series'" 20 20
metrics=$(scrape)
expect_eq 'snat_entries{udp}' "$(value 'nf_conntrack_flows_snat_entries{protocol="udp"}' "$metrics")" 60
expect_eq 'snat_entries{tcp}' "$(value 'nf_conntrack_flows_snat_entries{protocol="tcp"}' "$metrics")" 20
expect_eq snat_ports_available "$(value nf_conntrack_flows_snat_ports_available "$metrics")" $ports
lint=$(promtool check metrics <<<"$(scrape)" 2>&1) || true
[[ -z "$lint" ]] || fail "promtool check metrics: $lint"
echo "ok   promtool check metrics is clean with the SNAT series"
# What conntrack itself says the router holds for that tuple.
expect_eq "conntrack -L: UDP entries to the server" \
  "$(in_ns conntrack -L -p udp -d 198.51.100.2 --dport 53 2>/dev/null | grep -c 'dst=198.51.100.1')" 60

step "a real Prometheus with our rules (windows and for: shortened)"
prometheus_in_ns "$pport" "$eport" rules
# firing_snat: the labels of the firing ConntrackSNATPortsExhausted alerts.
firing_snat() {
  in_ns curl -fsS --max-time 5 "http://127.0.0.1:$pport/api/v1/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    if a["labels"]["alertname"] == "ConntrackSNATPortsExhausted" and a["state"] == "firing":
        l = a["labels"]
        print(l.get("nat_address", ""), l.get("destination", ""), l.get("protocol", ""), l.get("port", ""))
'
}
expect_eq "SNAT alerts firing at 60 %" "$(firing_snat | wc -l)" 0

step "150 UDP flows more: the 100-port range runs out"
failed_before=$(counter insert_failed)
drop_before=$(counter drop)
udp_flows 42000 150
wait_value "$udp_series" "value '$udp_series'" $ports 20
failed=$(($(counter insert_failed) - failed_before))
dropped=$(($(counter drop) - drop_before))
echo "     insert_failed +$failed, drop +$dropped"
((failed > 0 || dropped > 0)) || fail "the kernel counted no failed insert and no drop"
entries=$(value nf_conntrack_entries)
max=$(value nf_conntrack_entries_limit)
echo "     the router's table: $entries of $max entries"
deadline=$((SECONDS + 60))
until out=$(firing_snat) && grep -qx "198.51.100.1 198.51.100.2 udp 53" <<<"$out"; do
  ((SECONDS < deadline)) || { firing_snat; fail "ConntrackSNATPortsExhausted did not fire for the tuple"; }
  sleep 1
done
echo "ok   ConntrackSNATPortsExhausted fires for 198.51.100.1 -> 198.51.100.2 udp/53"

step "the doctor names the tuple"
code=0
out=$(ip netns exec "$ns" "$exporter" doctor --snat-ports=$ports --kernel-log= \
  --no-namespaces) || code=$?
echo "$out" | sed -n '1,/^Host/p'
grep -qF "source NAT runs out of ports: 100 of 100 (100.0%) toward 198.51.100.2 udp/53 from 198.51.100.1" <<<"$out" ||
  { echo "$out"; fail "the doctor does not name the tuple"; }
grep -qF "192.0.2.2" <<<"$(grep -F 'nft add rule' <<<"$out" || true)" &&
  { echo "$out"; fail "the doctor advises rate-limiting the client behind the NAT"; }
grep -qF "random-fully" <<<"$out" || { echo "$out"; fail "no random-fully among the fixes"; }
grep -qF "sysctl -w net.netfilter.nf_conntrack_udp_timeout=10" <<<"$out" ||
  { echo "$out"; fail "no shorter UDP timeout among the fixes"; }
((code == 2)) || { echo "$out"; fail "doctor exit $code, want 2 (CRITICAL: every port taken)"; }
json=$(ip netns exec "$ns" "$exporter" doctor --snat-ports=$ports --kernel-log= \
  --no-namespaces --output=json || true)
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
f = [x for x in d["findings"] if x["code"] == "snat_ports_exhausted"]
assert f, d["findings"]
n = f[0]["numbers"]
assert (n["nat_address"], n["destination"], n["port"], n["protocol"], n["in_use"], n["available"]) == \
    ("198.51.100.1", "198.51.100.2", "53", "udp", 100, 100), n
assert f[0]["severity"] == "critical", f[0]
' "$json" || fail "the JSON finding is not the tuple's"
echo "ok   doctor: CRITICAL, the tuple, 100 of 100 ports, random-fully and a shorter UDP timeout"
echo "nat e2e: all checks passed"

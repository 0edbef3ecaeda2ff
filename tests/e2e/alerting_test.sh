#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole alerting chain on the real kernel, in a network namespace of its
# own (always deleted): the exporter, a real Prometheus with our rules, a real
# Alertmanager with our config, and a webhook receiver, all on loopback inside
# the namespace. The table is filled past 90 % and then to its limit with
# drops: ConntrackTableCritical and ConntrackTableDroppingPackets must reach
# the pager receiver; every dashboard query must return data; once the
# entries are deleted the page must resolve.
#
# The rules are a test copy: `for:` (and keep_firing_for:) minutes become
# seconds and the 5m/1h
# windows become 15s/2m, so the chain runs in about a minute.
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
require_tools ip nft conntrack curl prometheus prometheus-alertmanager promtool python3

init_workspace "nfce-alerting-$$"
# A fresh namespace has its own ports: the usual ones are free there.
eport=19372 pport=9090 aport=9093 rport=9095
create_test_netns "$ns" "$eport" "$pport" "$aport" "$rport"

test_alertmanager_config "$rport" >"$work/alertmanager.yml"

# Started with ip netns exec directly: it execs the program, so $! is its pid.
ip netns exec "$ns" python3 "$root/tests/alerts/webhook_receiver.py" "$rport" "$work/received.jsonl" &
pids+=($!)
ip netns exec "$ns" prometheus-alertmanager --config.file="$work/alertmanager.yml" \
  --storage.path="$work/am" --web.listen-address="127.0.0.1:$aport" \
  --cluster.listen-address= --log.level=warn 2>"$work/alertmanager.log" &
pids+=($!)
ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$eport" 2>"$work/exporter.log" &
pids+=($!)
for url in "http://127.0.0.1:$aport/-/ready" "http://127.0.0.1:$eport/metrics"; do
  in_ns bash -c "$(declare -f wait_http); wait_http $url 30" || fail "$url did not come up"
done
prometheus_in_ns "$pport" "$eport" rules "$aport"

# query EXPR: the first value Prometheus returns for EXPR, or nothing.
query() {
  in_ns curl -fsS --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
wait_query() {  # wait_query EXPR SECONDS: until EXPR returns a sample
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    [[ -n "$(query "$1")" ]] && return 0
    sleep 1
  done
  fail "no sample for $1 within $2 s"
}
# received ALERT STATUS SECONDS: the pager receiver got ALERT with STATUS for
# our instance.
received() {
  wait_for_line "$work/received.jsonl" \
    "\"receiver\": \"pager\", \"status\": \"$2\", \"alertname\": \"$1\", \"instance\": \"127.0.0.1:$eport\"" "$3" ||
    { cat "$work/received.jsonl" 2>/dev/null; fail "pager did not receive $1 $2 within $3 s"; }
  echo "ok   pager received $1 ($2)"
}

max=$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_max)
((max > 0 && max <= 2097152)) || skip_or_fail "nf_conntrack_max=$max cannot be filled in a test"

step "Prometheus scrapes the exporter in the namespace"
wait_query 'up{job="conntrack"} == 1' 30
wait_query 'nf_conntrack_entries{job="conntrack"}' 30

step "fill the table past 90 % of $max"
n=$((max * 92 / 100))
conntrack_entries "$n" 0 >"$work/fill1.txt"
in_ns conntrack -R "$work/fill1.txt"
received ConntrackTableCritical firing 60

step "fill to the limit and send packets that need new entries"
conntrack_entries "$((max - n))" "$n" >"$work/fill2.txt"
in_ns conntrack -R "$work/fill2.txt" 2>/dev/null || true
send_new_udp "$ns" 5
received ConntrackTableDroppingPackets firing 60

step "every dashboard query returns data from this Prometheus"
wait_query 'increase(nf_conntrack_stat_drop_total[1m]) > 0' 30
in_ns python3 "$root/tests/dashboards/check_dashboard.py" --prometheus "http://127.0.0.1:$pport"

step "delete the entries: the page resolves"
in_ns conntrack -F 2>/dev/null
# The alerts keep firing for keep_firing_for (15 s in the test copy), then
# resolve. DroppingPackets inhibits Critical in the same group (one page
# per host): the notification that resolves the page carries
# DroppingPackets, and no firing alert is left in the group.
received ConntrackTableDroppingPackets resolved 90
python3 - "$work/received.jsonl" <<'PY' || { cat "$work/received.jsonl"; fail "the pager's last notification still has a firing alert"; }
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if '"pager"' in l]
last = max(l["notification"] for l in lines)
states = {l["alertname"]: l["status"] for l in lines if l["notification"] == last}
print(f"     the pager's last notification ({last}): {states}")
sys.exit(0 if states and set(states.values()) == {"resolved"} else 1)
PY
echo "ok   the page resolved: nothing left firing for 127.0.0.1:$eport"

echo "alerting e2e: all checks passed"

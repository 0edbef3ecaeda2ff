#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The monitoring bundle against the real tools: promtool checks and unit-tests
# the alert rules, amtool checks the Alertmanager config and its routing, a
# real Alertmanager proves the inhibition, and the dashboard is checked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/../lib.sh"
require_tools promtool amtool prometheus-alertmanager python3 curl
cd "$root"

echo "--- promtool check rules (lint fatal)"
promtool check rules --lint=all --lint-fatal deploy/prometheus/rules.yml \
  deploy/prometheus/alerts.yml
echo "--- promtool test rules"
promtool test rules tests/alerts/alerts_test.yml
echo "--- rule metadata and runbook anchors"
alerts=$(python3 tests/alerts/check_rules.py)

echo "--- amtool check-config and routing"
amtool check-config deploy/alertmanager/alertmanager.yml
while read -r name severity; do
  want=chat
  [[ "$severity" == critical ]] && want=pager
  amtool config routes test --config.file=deploy/alertmanager/alertmanager.yml \
    --verify.receivers="$want" alertname="$name" severity="$severity" instance=host:19372 \
    >/dev/null 2>&1 || fail "$name ($severity) does not route to $want"
  echo "ok   $name ($severity) -> $want"
done <<<"$alerts"

echo "--- inhibition in a real Alertmanager"
init_workspace
rport=$(free_port)
python3 tests/alerts/webhook_receiver.py "$rport" "$work/received.jsonl" &
pids+=($!)
test_alertmanager_config "$rport" >"$work/alertmanager.yml"
aport=$(free_port)
prometheus-alertmanager --config.file="$work/alertmanager.yml" \
  --storage.path="$work/am" --web.listen-address="127.0.0.1:$aport" \
  --cluster.listen-address= --log.level=warn &
pids+=($!)
wait_http "http://127.0.0.1:$aport/-/ready" 20
am=http://127.0.0.1:$aport
# wait_inhibited INSTANCE ALERTNAME...: polls until the alerts of INSTANCE
# that Alertmanager marks inhibited (suppressed, with an inhibitor) are
# exactly these.
wait_inhibited() {
  local instance=$1 deadline=$((SECONDS + 30)) inhibited
  shift
  until inhibited=$(amtool --alertmanager.url="$am" alert query --inhibited -o json \
    instance="$instance") &&
    python3 -c 'import json, sys
a = json.loads(sys.argv[1])
s = {x["labels"]["alertname"] for x in a
     if x["status"]["state"] == "suppressed" and x["status"]["inhibitedBy"]}
sys.exit(0 if s == set(sys.argv[2:]) else 1)' "$inhibited" "$@"; do
    ((SECONDS < deadline)) || fail "Alertmanager never inhibited exactly $* on $instance: $inhibited"
    sleep 0.2
  done
}
# Critical and NearlyFull on host a (the warning must be inhibited), NearlyFull
# alone on host b (it must arrive).
amtool --alertmanager.url="$am" alert add ConntrackTableCritical severity=critical instance=a:19372
amtool --alertmanager.url="$am" alert add ConntrackTableNearlyFull severity=warning instance=a:19372
amtool --alertmanager.url="$am" alert add ConntrackTableNearlyFull severity=warning instance=b:19372
wait_for_line "$work/received.jsonl" '"receiver": "pager".*"alertname": "ConntrackTableCritical".*"a:19372"' 30 ||
  fail "the pager receiver did not get ConntrackTableCritical"
wait_for_line "$work/received.jsonl" '"receiver": "chat".*"alertname": "ConntrackTableNearlyFull".*"b:19372"' 30 ||
  fail "the chat receiver did not get ConntrackTableNearlyFull for b"
# Alertmanager's own word that the warning for a is inhibited (polled), then
# the receiver's: it never got it, though b's warning has arrived since.
wait_inhibited a:19372 ConntrackTableNearlyFull
if grep -E '"alertname": "ConntrackTableNearlyFull".*"a:19372"' "$work/received.jsonl"; then
  fail "ConntrackTableNearlyFull on a:19372 was not inhibited by ConntrackTableCritical"
fi
echo "ok   critical paged, warning for b in chat, warning for a inhibited"

echo "--- one incident, one page"
# A table full and dropping on host c: DroppingPackets first, then
# Critical and FullOfAssured, which Alertmanager must mark inhibited. The
# pager must see one incident for c (one group key: PagerDuty and Opsgenie
# key on it) carrying DroppingPackets and never the two it inhibits. A
# chat warning for d sent afterwards marks the point by which anything
# else would have come (group_interval is 1 s here).
post_alerts() {  # post_alerts INSTANCE ALERTNAME...: one API call
  local instance=$1
  shift
  python3 -c 'import json, sys, datetime
now = datetime.datetime.now(datetime.timezone.utc).isoformat()
print(json.dumps([{"labels": {"alertname": n, "severity": "critical", "instance": sys.argv[1]},
                   "startsAt": now} for n in sys.argv[2:]]))' "$instance" "$@" |
    curl -fsS -H 'Content-Type: application/json' --data-binary @- "$am/api/v2/alerts" >/dev/null
}
post_alerts c:19372 ConntrackTableDroppingPackets
wait_for_line "$work/received.jsonl" '"receiver": "pager".*"ConntrackTableDroppingPackets".*"c:19372"' 30 ||
  fail "the pager did not get ConntrackTableDroppingPackets for c:19372"
post_alerts c:19372 ConntrackTableCritical ConntrackTableFullOfAssured
wait_inhibited c:19372 ConntrackTableCritical ConntrackTableFullOfAssured
amtool --alertmanager.url="$am" alert add ConntrackTableNearlyFull severity=warning instance=d:19372
wait_for_line "$work/received.jsonl" '"receiver": "chat".*"d:19372"' 30 ||
  fail "the chat receiver did not get ConntrackTableNearlyFull for d"
python3 - "$work/received.jsonl" <<'PY' || fail "one incident on c:19372 did not page as one"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
pages = [l for l in lines if l["receiver"] == "pager" and l["instance"] == "c:19372"]
keys = {l["group_key"] for l in pages}
names = sorted({l["alertname"] for l in pages})
print(f"pager for c:19372: {len(keys)} incident(s), "
      f"{len({l['notification'] for l in pages})} notification(s), alerts {names}")
sys.exit(0 if len(keys) == 1 and names == ["ConntrackTableDroppingPackets"] else 1)
PY
echo "ok   three critical alerts of one full table: one page, DroppingPackets alone"

echo "--- dashboard"
python3 tests/dashboards/check_dashboard.py
echo "monitoring bundle: all checks passed"

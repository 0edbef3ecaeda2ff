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
deadline=$((SECONDS + 30))
until inhibited=$(amtool --alertmanager.url="$am" alert query --inhibited -o json \
  alertname=ConntrackTableNearlyFull instance=a:19372) &&
  python3 -c 'import json, sys; a = json.loads(sys.argv[1]); sys.exit(0 if a and a[0]["status"]["state"] == "suppressed" and a[0]["status"]["inhibitedBy"] else 1)' "$inhibited"; do
  ((SECONDS < deadline)) || fail "Alertmanager never marked ConntrackTableNearlyFull on a:19372 inhibited: $inhibited"
  sleep 0.2
done
if grep -E '"alertname": "ConntrackTableNearlyFull".*"a:19372"' "$work/received.jsonl"; then
  fail "ConntrackTableNearlyFull on a:19372 was not inhibited by ConntrackTableCritical"
fi
echo "ok   critical paged, warning for b in chat, warning for a inhibited"

echo "--- one incident, one page"
# A table full and dropping on host c fires three critical alerts at once
# (one API call, inside one group_wait): the pager must get one
# notification for c, carrying DroppingPackets alone (the other two
# inhibited). A chat warning for d sent afterwards marks the point by which
# a second page would have come (group_interval is 1 s here).
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
alerts_json=$(python3 -c 'import json, sys
print(json.dumps([{"labels": {"alertname": n, "severity": "critical", "instance": "c:19372"},
                   "startsAt": sys.argv[1]} for n in
                  ("ConntrackTableCritical", "ConntrackTableDroppingPackets",
                   "ConntrackTableFullOfAssured")]))' "$now")
curl -fsS -H 'Content-Type: application/json' -d "$alerts_json" "$am/api/v2/alerts" >/dev/null
wait_for_line "$work/received.jsonl" '"receiver": "pager".*"c:19372"' 30 ||
  fail "the pager got nothing for c:19372"
amtool --alertmanager.url="$am" alert add ConntrackTableNearlyFull severity=warning instance=d:19372
wait_for_line "$work/received.jsonl" '"receiver": "chat".*"d:19372"' 30 ||
  fail "the chat receiver did not get ConntrackTableNearlyFull for d"
python3 - "$work/received.jsonl" <<'PY' || fail "one incident on c:19372 did not page exactly once"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
pages = [l for l in lines if l["receiver"] == "pager" and l["instance"] == "c:19372"]
notifications = {l["notification"] for l in pages}
names = sorted(l["alertname"] for l in pages)
print(f"pager for c:19372: {len(notifications)} notification(s), alerts {names}")
sys.exit(0 if len(notifications) == 1 and names == ["ConntrackTableDroppingPackets"] else 1)
PY
echo "ok   three critical alerts of one full table: one page, DroppingPackets alone"

echo "--- dashboard"
python3 tests/dashboards/check_dashboard.py
echo "monitoring bundle: all checks passed"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The monitoring mixin (mixin/): jsonnet evaluates it, jsonnetfmt finds it
# formatted, the committed rules, alerts, PrometheusRule and dashboard equal
# what it renders, and a user's _config override reaches every rule, alert
# and dashboard query (as one vendored into kube-prometheus would set it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/../lib.sh"
require_tools jsonnet jsonnetfmt promtool python3
init_workspace
cd "$root"

echo "--- jsonnetfmt"
mapfile -t sources < <(find mixin -name '*.libsonnet' -o -name '*.jsonnet')
jsonnetfmt --test "${sources[@]}" || fail "mixin/ is not jsonnetfmt-formatted (run jsonnetfmt -i)"
echo "ok   ${#sources[@]} files formatted"

echo "--- committed files equal what the mixin renders"
python3 scripts/generate_mixin.py --check

echo "--- a _config override reaches every rule and query"
jsonnet -J mixin -e '
  local m = (import "mixin.libsonnet") + {
    _config+:: {
      selector: "job=\"node-conntrack\"",
      nearlyFullThreshold: 0.8,
      runbookURLPrefix: "https://runbooks.example.org/conntrack#",
      dashboardUID: "ct-fleet",
    },
  };
  { groups: m.prometheusRules.groups + m.prometheusAlerts.groups,
    dashboard: m.grafanaDashboards["nf-conntrack.json"] }' >"$work/override.json"
python3 - "$work/override.json" "$work/override-rules.yml" <<'PY'
import json, sys, yaml
d = json.load(open(sys.argv[1]))
errors = []
rules = [r for g in d["groups"] for r in g["rules"]]
for r in rules:
    name = r.get("alert") or r.get("record")
    # Every selector of a raw metric carries the override (recorded series
    # keep the target's labels, so they carry it too).
    if 'job="node-conntrack"' not in r["expr"]:
        errors.append(f"{name}: no selector in {r['expr']}")
    url = r.get("annotations", {}).get("runbook_url")
    if url is not None and not url.startswith("https://runbooks.example.org/conntrack#"):
        errors.append(f"{name}: runbook_url {url}")
near = next(r for r in rules if r.get("alert") == "ConntrackTableNearlyFull")
if not near["expr"].endswith("> 0.8") or "80%" not in near["annotations"]["description"]:
    errors.append(f"threshold override not applied: {near['expr']}")
dash = d["dashboard"]
if dash["uid"] != "ct-fleet":
    errors.append("dashboard uid not overridden")
for p in dash["panels"]:
    for t in p.get("targets", []):
        if 'job="node-conntrack"' not in t["expr"]:
            errors.append(f'panel {p["title"]}: no selector in {t["expr"]}')
    for l in p.get("fieldConfig", {}).get("defaults", {}).get("links", []):
        if "/d/ct-fleet/" not in l["url"]:
            errors.append(f'panel {p["title"]}: link to {l["url"]}')
for e in errors:
    print("FAIL", e)
if errors:
    sys.exit(1)
yaml.safe_dump({"groups": d["groups"]}, open(sys.argv[2], "w"))
print(f"ok   {len(rules)} rules and {len(dash['panels'])} panels carry the override")
PY
promtool check rules "$work/override-rules.yml" >/dev/null ||
  fail "promtool rejects the rules rendered with an override"
echo "ok   promtool accepts them"
echo "mixin: all checks passed"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The dashboard against Grafana's own Dashboard type (npm @grafana/schema,
# versions pinned in schema/package-lock.json): it is written out as a
# TypeScript object literal of that type and tsc must accept it; three
# broken copies (a misspelt field option, a string where Grafana wants a
# number, a variable's half-empty `current`) must each be refused, so the
# check is known to bite. Needs node and the npm registry; skips with a
# message where either is missing (no Grafana server can be installed here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/../lib.sh"
init_workspace
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not found" >&2; exit 77; }
done
npm_install_pinned "$here/schema"

# typecheck JSON_FILE: 0 when tsc accepts it as a Dashboard.
typecheck() {
  { cat "$here/schema/check.ts.in"; cat "$1"; echo ";"; } >"$work/check.ts"
  (cd "$work" && ./node_modules/.bin/tsc -p . >"$work/tsc.log" 2>&1)
}
typecheck "$root/dashboards/nf-conntrack.json" || {
  cat "$work/tsc.log"
  fail "dashboards/nf-conntrack.json does not type-check as Grafana's Dashboard"
}
echo "ok   dashboards/nf-conntrack.json type-checks as @grafana/schema's Dashboard"

for broken in unit_misspelt gridpos_string current_empty; do
  python3 - "$root/dashboards/nf-conntrack.json" "$broken" >"$work/broken.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
panel = next(p for p in d["panels"] if p["type"] != "row")
if sys.argv[2] == "unit_misspelt":
    panel["fieldConfig"]["defaults"]["unitt"] = panel["fieldConfig"]["defaults"].pop("unit")
elif sys.argv[2] == "gridpos_string":
    panel["gridPos"]["w"] = str(panel["gridPos"]["w"])
else:
    d["templating"]["list"][1]["current"] = {}
print(json.dumps(d, indent=2))
PY
  if typecheck "$work/broken.json"; then
    fail "a dashboard with $broken type-checks: the check does not bite"
  fi
  echo "ok   $broken refused: $(sed -n 1p "$work/tsc.log" | cut -c1-110)"
done
echo "dashboard schema: passed"

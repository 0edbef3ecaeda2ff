#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# deploy/kubernetes/*.yaml against the Kubernetes and prometheus-operator
# schemas (npm kubernetes-models and @kubernetes-models/prometheus-operator,
# versions pinned in k8s_schema/package-lock.json): each document is written
# out as a TypeScript object literal of its kind's type, which tsc must
# accept (a misspelt field is an excess property), then built as the kind's
# model and validated against its JSON schema. The DaemonSet is also checked
# with the netns collector switched on as its comment says (hostPID,
# CAP_SYS_ADMIN, /run/netns). Broken copies must each be refused, so the
# check is known to bite. Needs node and the npm registry; skips with a
# message where either is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/../lib.sh"
init_workspace
for tool in node npm python3; do
  command -v "$tool" >/dev/null || skip_or_fail "$tool not found"
done
npm_install_pinned "$here/k8s_schema"

# check DOCS.json: writes check.ts for the documents, compiles it with tsc
# and runs it (each document built as its model and validated); 0 when both
# accept every document.
check() {
  python3 - "$1" >"$work/check.ts" <<'PY'
import json, sys
kinds = {
    ("apps/v1", "DaemonSet"): "kubernetes-models/apps/v1/DaemonSet",
    ("v1", "Service"): "kubernetes-models/v1/Service",
    ("monitoring.coreos.com/v1", "ServiceMonitor"):
        "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
    ("monitoring.coreos.com/v1", "PrometheusRule"):
        "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
}
docs = json.load(open(sys.argv[1]))
used = sorted({(d["apiVersion"], d["kind"]) for _, d in docs})
for key in used:
    if key not in kinds:
        sys.exit(f"no schema known for {key}")
    print(f'import {{ {key[1]}, I{key[1]} }} from "{kinds[key]}";')
for i, (where, d) in enumerate(docs):
    kind = d["kind"]
    print(f"const doc{i}: I{kind} = {json.dumps(d, indent=2)};")
    print(f"new {kind}(doc{i}).validate();")
    print(f'console.log("ok   {where}: a valid {kind}");')
PY
  (cd "$work" && ./node_modules/.bin/tsc -p . >"$work/tsc.log" 2>&1 &&
    node out/check.js >"$work/run.log" 2>&1)
}

# The committed manifests, and the DaemonSet with the netns collector on.
python3 - "$root/deploy/kubernetes" >"$work/docs.json" <<'PY'
import copy, glob, json, os, sys, yaml
docs = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml"))):
    for i, d in enumerate(yaml.safe_load_all(open(path))):
        if d:
            docs.append((f"{os.path.basename(path)}#{i}", d))
ds = copy.deepcopy(next(d for _, d in docs if d["kind"] == "DaemonSet"))
pod = ds["spec"]["template"]["spec"]
pod["hostPID"] = True
c = pod["containers"][0]
c["args"].append("--collector.netns")
c["securityContext"]["capabilities"]["add"].append("SYS_ADMIN")
c.setdefault("volumeMounts", []).append(
    {"name": "run-netns", "mountPath": "/run/netns", "readOnly": True})
pod.setdefault("volumes", []).append(
    {"name": "run-netns", "hostPath": {"path": "/run/netns"}})
docs.append(("daemonset.yaml with the netns collector", ds))
print(json.dumps(docs))
PY
check "$work/docs.json" || { cat "$work/tsc.log" "$work/run.log"; fail "deploy/kubernetes does not check against the schemas"; }
cat "$work/run.log"

# Broken copies: a misspelt field, a string where a number goes, a missing
# required field, a rule without its expression.
for broken in misspelt port_string no_container_name rule_without_expr; do
  python3 - "$work/docs.json" "$broken" >"$work/broken.json" <<'PY'
import json, sys
docs = json.load(open(sys.argv[1]))
by_kind = {d["kind"]: d for _, d in docs}
pod = by_kind["DaemonSet"]["spec"]["template"]["spec"]
c = pod["containers"][0]
if sys.argv[2] == "misspelt":
    pod["hostNetwrok"] = pod.pop("hostNetwork")
elif sys.argv[2] == "port_string":
    c["ports"][0]["containerPort"] = str(c["ports"][0]["containerPort"])
elif sys.argv[2] == "no_container_name":
    del c["name"]
else:
    del by_kind["PrometheusRule"]["spec"]["groups"][0]["rules"][0]["expr"]
print(json.dumps([(sys.argv[2], d) for d in by_kind.values()]))
PY
  if check "$work/broken.json"; then
    fail "a manifest with $broken passes: the check does not bite"
  fi
  why=$(grep -h -E "error|must|Error" "$work/tsc.log" "$work/run.log" 2>/dev/null || true)
  why=${why%%$'\n'*}
  echo "ok   $broken refused: ${why:0:110}"
done
echo "kubernetes schema: passed"

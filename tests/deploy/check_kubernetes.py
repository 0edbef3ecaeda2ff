#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks deploy/kubernetes/: every manifest is valid YAML of the right kind,
the pieces select each other, the DaemonSet is least-privilege with probes
and resource limits, its flags are ones the exporter accepts, and the
PrometheusRule carries exactly the groups of deploy/prometheus/rules.yml and
alerts.yml (all three are rendered from mixin/: scripts/generate_mixin.py).

usage: check_kubernetes.py EXPORTER
"""
import json
import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/kubernetes"
RULE_FILES = [ROOT / "deploy/prometheus/rules.yml",
              ROOT / "deploy/prometheus/alerts.yml"]
KINDS = {"daemonset.yaml": ("apps/v1", "DaemonSet"),
         "service.yaml": ("v1", "Service"),
         "servicemonitor.yaml": ("monitoring.coreos.com/v1", "ServiceMonitor"),
         "prometheusrule.yaml": ("monitoring.coreos.com/v1", "PrometheusRule")}


def fail(msg):
    print("FAIL", msg)
    sys.exit(1)


def main():
    exporter = sys.argv[1]
    docs = {}
    for name, (api, kind) in KINDS.items():
        doc = yaml.safe_load((K8S / name).read_text())
        if doc.get("apiVersion") != api or doc.get("kind") != kind:
            fail(f"{name}: want {api} {kind}, got {doc.get('apiVersion')} {doc.get('kind')}")
        if not doc.get("metadata", {}).get("name"):
            fail(f"{name}: no metadata.name")
        docs[kind] = doc
        print(f"ok   {name}: {api} {kind}")

    ds = docs["DaemonSet"]
    pod_labels = ds["spec"]["template"]["metadata"]["labels"]
    if ds["spec"]["selector"]["matchLabels"].items() - pod_labels.items():
        fail("DaemonSet selector does not match its pod labels")
    pod = ds["spec"]["template"]["spec"]
    if pod.get("hostNetwork") is not True:
        fail("DaemonSet must use hostNetwork to see the node's table")
    if pod.get("hostPID"):
        fail("hostPID must stay off unless the netns collector is on")
    (c,) = pod["containers"]
    sc = c["securityContext"]
    if sc.get("allowPrivilegeEscalation") is not False or not sc.get("readOnlyRootFilesystem"):
        fail("container must forbid privilege escalation and write nothing")
    if sc["capabilities"].get("drop") != ["ALL"] or \
            not set(sc["capabilities"].get("add", [])) <= {"NET_ADMIN", "DAC_READ_SEARCH"}:
        fail(f"capabilities must drop ALL and add at most NET_ADMIN, DAC_READ_SEARCH: {sc['capabilities']}")
    for kind in ("requests", "limits"):
        if not {"cpu", "memory"} <= set(c["resources"].get(kind, {})):
            fail(f"container needs cpu and memory {kind}")
    if "livenessProbe" in c:
        fail("no liveness probe: on a full table its connection is dropped and "
             "the kubelet would restart the exporter when it is needed most")
    if c["readinessProbe"]["httpGet"]["path"] != "/-/ready":
        fail("the readiness probe must use /-/ready")
    if pod.get("automountServiceAccountToken") is not False:
        fail("the exporter never calls the API server: no service account token")
    env = {e["name"]: e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
           for e in c.get("env", [])}
    if env.get("NODE_IP") != "status.hostIP" or \
            "--web.listen-address=[$(NODE_IP)]:19372" not in c["args"]:
        fail("the exporter must listen on the node's address alone ([$(NODE_IP)]:19372)")
    # The kubelet expands $(NODE_IP); an IPv4 and an IPv6 node's address
    # must both be accepted.
    for node_ip in ("192.0.2.7", "2001:db8::7"):
        args = [a.replace("$(NODE_IP)", node_ip) for a in c["args"]]
        r = subprocess.run([exporter, *args, "--version"], capture_output=True, text=True)
        if r.returncode != 0:
            break
    if r.returncode != 0:
        fail(f"the exporter refuses the DaemonSet's args {c['args']}: {r.stderr.strip()}")
    print("ok   DaemonSet: hostNetwork, no hostPID, no token, caps drop ALL, node address, "
          "readiness only, limits, args accepted")

    svc = docs["Service"]
    if svc["spec"]["selector"].items() - pod_labels.items():
        fail("Service selector does not match the DaemonSet's pods")
    if [p["name"] for p in svc["spec"]["ports"]] != ["metrics"]:
        fail("Service must expose the metrics port")
    sm = docs["ServiceMonitor"]
    if sm["spec"]["selector"]["matchLabels"].items() - svc["metadata"]["labels"].items():
        fail("ServiceMonitor selector does not match the Service")
    for kind in ("ServiceMonitor", "PrometheusRule"):
        if "release" not in docs[kind]["metadata"]["labels"]:
            fail(f"{kind} needs a release label for kube-prometheus-stack's selectors")
    relabel = {(tuple(r.get("sourceLabels", [])), r["targetLabel"]): r.get("replacement")
               for r in sm["spec"]["endpoints"][0].get("relabelings", [])}
    if (("__meta_kubernetes_pod_node_name",), "instance") not in relabel or \
            relabel.get(((), "job")) != "conntrack":
        fail("ServiceMonitor must name instance after the node and set job=conntrack "
             "(the job ConntrackExporterDown watches)")
    if sm["spec"]["endpoints"][0]["port"] != "metrics":
        fail("ServiceMonitor must scrape the metrics port")
    print("ok   Service and ServiceMonitor select the exporter")

    groups = [g for f in RULE_FILES for g in yaml.safe_load(f.read_text())["groups"]]
    # The same rules; only the runbook link adds the port, since instance is
    # the node's name there.
    k8s = json.loads(json.dumps(docs["PrometheusRule"]["spec"]).replace(
        "}}:19372/runbook#", "}}/runbook#"))
    if k8s != {"groups": groups}:
        fail("prometheusrule.yaml differs from deploy/prometheus/rules.yml + alerts.yml "
             "(regenerate: python3 scripts/generate_mixin.py)")
    print("ok   PrometheusRule carries exactly the rules of rules.yml and alerts.yml")


if __name__ == "__main__":
    main()

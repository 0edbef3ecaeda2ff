#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Renders the monitoring mixin (mixin/) into the files the repository ships:

  deploy/prometheus/rules.yml          recording rules (prometheusRules)
  deploy/prometheus/alerts.yml         alerts (prometheusAlerts)
  deploy/kubernetes/prometheusrule.yaml both, as a PrometheusRule
  dashboards/nf-conntrack.json         the dashboard (grafanaDashboards)

usage: generate_mixin.py           write them
       generate_mixin.py --check   fail, with a diff, where a committed file
                                   differs from what the mixin renders
Needs jsonnet (Debian's package) and python3-yaml.
"""
import difflib
import json
import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
GENERATED = "Generated from mixin/ by scripts/generate_mixin.py: edit the mixin, not this file."
# Keys in the order people read a rule, not jsonnet's alphabetical order.
ORDER = ["name", "interval", "rules", "alert", "record", "expr", "for", "keep_firing_for",
         "labels", "annotations", "summary", "description", "runbook_url"]


class Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _ordered(value):
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (ORDER.index(k) if k in ORDER else len(ORDER), k))
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


Dumper.add_representer(str, _str)


def to_yaml(value):
    return yaml.dump(_ordered(value), Dumper=Dumper, sort_keys=False,
                     width=1000, allow_unicode=True)


# On Kubernetes the ServiceMonitor names each instance after its node (as
# kube-prometheus does for node-exporter, so that the two join on instance),
# and the exporter listens on the node's address: links to it add the port.
# (jsonnet, since _config's URLs are functions.)
KUBERNETES_CONFIG = "exporterURL(host):: 'http://%s:19372' % host"
# kube-prometheus-stack selects ServiceMonitors and PrometheusRules by the
# label release=<its Helm release>: this is the chart's usual release name.
KUBERNETES_LABELS = {"app.kubernetes.io/name": "nf-conntrack-exporter",
                     "release": "kube-prometheus-stack"}


def render_mixin(config=None):
    override = f" + {{ _config+:: {{ {config} }} }}" if config else ""
    out = subprocess.run(
        ["jsonnet", "-J", str(ROOT / "mixin"), "-e",
         f"local m = (import 'mixin.libsonnet'){override}; "
         "{ rules: m.prometheusRules, alerts: m.prometheusAlerts, "
         "dashboards: m.grafanaDashboards }"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def files():
    m = render_mixin()
    k = render_mixin(KUBERNETES_CONFIG)
    rule = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": {"name": "nf-conntrack-exporter", "namespace": "monitoring",
                         "labels": KUBERNETES_LABELS},
            "spec": {"groups": k["rules"]["groups"] + k["alerts"]["groups"]}}
    header = f"# {GENERATED}\n"
    out = {
        "deploy/prometheus/rules.yml": header + to_yaml(m["rules"]),
        "deploy/prometheus/alerts.yml": header + to_yaml(m["alerts"]),
        "deploy/kubernetes/prometheusrule.yaml": header + to_yaml(rule),
    }
    for name, dash in m["dashboards"].items():
        out[f"dashboards/{name}"] = json.dumps(dash, indent=2) + "\n"
    return out


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] not in ([], ["--check"]):
        sys.exit(__doc__)
    differ = 0
    for rel, text in files().items():
        path = ROOT / rel
        if not check:
            path.write_text(text)
            print(f"wrote {rel}")
            continue
        old = path.read_text() if path.exists() else ""
        if old != text:
            differ += 1
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                f"{rel} (committed)", f"{rel} (from mixin/)", n=1))
        else:
            print(f"ok   {rel} equals what the mixin renders")
    if differ:
        sys.exit(f"FAIL {differ} file(s) differ from the mixin: run scripts/generate_mixin.py")


if __name__ == "__main__":
    main()

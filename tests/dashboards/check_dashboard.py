#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks dashboards/nf-conntrack.json.

Offline: structure (fixed uid, datasource/job/instance variables, title,
description and unit on every panel), every query valid PromQL (promtool
checks each, wrapped as a recording rule) and every metric it names one the
exporter really emits (taken from the golden /metrics files, which the real
binary renders) or one our recording rules (deploy/prometheus/rules.yml)
record from those. The Fleet row: its panels ignore $instance, and its
per-instance panels link to this dashboard for the instance clicked.

With --prometheus URL: also sends every query to that Prometheus and fails
on any that returns no data.
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan"}
# Panels the issue requires, by the metrics they must show.
REQUIRED_METRICS = {
    "nf_conntrack_entries", "nf_conntrack_entries_limit",
    "nf_conntrack_buckets", "nf_conntrack_bucket_load",
    "nf_conntrack_slab_bytes", "nf_conntrack_memory_limit_bytes",
    "nf_conntrack_stat_drop_total", "nf_conntrack_stat_early_drop_total",
    "nf_conntrack_stat_insert_failed_total",
    "nf_conntrack_stat_chaintoolong_total",
    "nf_conntrack_stat_clash_resolve_total", "nf_conntrack_timeout_seconds",
    "nf_conntrack_scrape_collector_success",
}


def substitute(expr):
    """What Grafana sends for the default selection (All, and a 1m rate interval)."""
    return (expr.replace("$__rate_interval", "1m")
            .replace("$job", ".+").replace("$instance", ".+"))


def metric_names(expr):
    s = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    s = re.sub(r"\{[^}]*\}", "", s)
    s = re.sub(r"\[[^\]]*\]", "", s)
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)",
               "", s)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", s):
        if m.start() > 0 and (s[m.start() - 1].isdigit() or s[m.start() - 1] == "."):
            continue  # exponent or unit of a number
        if s[m.end():].lstrip().startswith("("):
            continue  # function or aggregation
        if m.group(0) not in KEYWORDS:
            names.add(m.group(0))
    return names


# Metrics of the opt-in collectors (flows, events, netns): they need the real
# kernel, so no golden file holds them; tests/e2e/deep_test.sh proves each.
# Their panels may be empty where those collectors are off.
OPT_IN_METRICS = {
    "nf_conntrack_flows", "nf_conntrack_flows_last_refresh_timestamp_seconds",
    "nf_conntrack_flows_top_source_entries",
    "nf_conntrack_flows_top_destination_entries",
    "nf_conntrack_flows_idle_seconds_bucket",
    "nf_conntrack_flows_idle_seconds_count",
    "nf_conntrack_events_total", "nf_conntrack_events_overruns_total",
    "nf_conntrack_netns_entries", "nf_conntrack_netns_info",
    "nf_conntrack_address_info", "nf_conntrack_flows_top_snat_ports_in_use",
    "nf_conntrack_flows_snat_ports_available",
    "nf_conntrack_flows_assured_entries",
    "nf_conntrack_flows_top_error_bound_entries",
}


def opt_in_metrics():
    """OPT_IN_METRICS, each checked to be a name the collectors' code emits."""
    code = "".join(p.read_text() for p in (ROOT / "collectors").glob("*.cc"))
    # A histogram's series carry the family's name plus a suffix.
    family = lambda m: re.sub(r"_(bucket|count|sum)$", "", m)
    missing = [m for m in OPT_IN_METRICS
               if f'"{m}"' not in code and f'"{family(m)}"' not in code]
    if missing:
        sys.exit(f"opt-in metrics not emitted by collectors/: {missing}")
    return OPT_IN_METRICS


def emitted_metrics():
    names = set()
    for golden in (ROOT / "tests/golden").glob("*.prom"):
        for line in golden.read_text().splitlines():
            if line.startswith("# TYPE "):
                names.add(line.split()[2])
    if not names:
        sys.exit("no golden files found under tests/golden")
    return names | opt_in_metrics()


def rule_inputs():
    """Each name deploy/prometheus/rules.yml records -> the metrics it reads."""
    return {rule["record"]: metric_names(rule["expr"])
            for group in yaml.safe_load((ROOT / "deploy/prometheus/rules.yml").read_text())["groups"]
            for rule in group["rules"]}


def recorded_metrics(emitted):
    """Names deploy/prometheus/rules.yml records, each from emitted metrics."""
    for record, inputs in rule_inputs().items():
        unknown = inputs - emitted
        if unknown:
            sys.exit(f"recording rule {record} reads {sorted(unknown)}, "
                     "which the exporter does not emit")
    return set(rule_inputs())


def read_metrics(expr):
    """The exporter's metrics an expression reads, through recording rules."""
    inputs = rule_inputs()
    return set().union(*(inputs.get(n, {n}) for n in metric_names(expr)))


# Fleet panels whose query keeps only instances in trouble: empty on a
# healthy fleet.
EMPTY_WHEN_HEALTHY = {"Instances dropping packets now"}


def check_fleet(dash, errors):
    """A Fleet row first; its panels ignore $instance; ranked instances open
    this dashboard with var-instance set to the one clicked."""
    panels = dash["panels"]
    if not panels or panels[0]["type"] != "row" or panels[0]["title"] != "Fleet":
        errors.append("the first row must be Fleet")
        return
    fleet = []
    for panel in panels[1:]:
        if panel["type"] == "row":
            break
        fleet.append(panel)
    if len(fleet) < 4:
        errors.append(f"the Fleet row has {len(fleet)} panels: want topk, counts, drops")
    for panel in fleet:
        where = f'Fleet panel "{panel["title"]}"'
        for t in panel.get("targets", []):
            if "$instance" in t["expr"]:
                errors.append(f"{where} is limited by $instance")
        if "{{instance}}" in "".join(t.get("legendFormat", "") for t in panel["targets"]):
            links = panel["fieldConfig"]["defaults"].get("links", [])
            if not any(f'/d/{dash["uid"]}/' in l["url"] and
                       "var-instance=${__field.labels.instance}" in l["url"] for l in links):
                errors.append(f"{where} lists instances but does not link to each one's view")
    exprs = " ".join(t["expr"] for p in fleet for t in p["targets"])
    if "topk(" not in exprs:
        errors.append("the Fleet row ranks no instance (topk)")


def queries(dash):
    """(where, expr) for every panel target and query variable."""
    for panel in dash["panels"]:
        for t in panel.get("targets", []):
            yield f'panel "{panel.get("title")}" {t.get("refId")}', t.get("expr", "")
    for var in dash["templating"]["list"]:
        if var["type"] == "query":
            q = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
            m = re.fullmatch(r"label_values\((.*),\s*\w+\)", q)
            yield f'variable {var["name"]}', m.group(1) if m else q


def check_structure(dash, errors):
    if dash.get("uid") != "nf-conntrack":
        errors.append("uid must be fixed to nf-conntrack")
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    ds = variables.get("datasource", {})
    if ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        errors.append("needs a datasource variable of type prometheus")
    for name in ("job", "instance"):
        v = variables.get(name, {})
        if not (v.get("multi") and v.get("includeAll")):
            errors.append(f"variable {name} must exist, be multi-value and include All")
    for panel in dash["panels"]:
        if panel["type"] == "row":
            continue
        where = f'panel {panel.get("id")} "{panel.get("title")}"'
        for key in ("title", "description"):
            if not panel.get(key):
                errors.append(f"{where} has no {key}")
        if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            errors.append(f"{where} has no unit")
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            errors.append(f"{where} does not use the $datasource variable")
        if not panel.get("targets"):
            errors.append(f"{where} has no query")


def check_promql(exprs, errors):
    with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
        f.write("groups:\n  - name: dashboard\n    rules:\n")
        for i, (_, expr) in enumerate(exprs):
            f.write(f"      - record: dashboard:query_{i}\n")
            f.write(f"        expr: {json.dumps(substitute(expr))}\n")
        f.flush()
        r = subprocess.run(["promtool", "check", "rules", f.name],
                           capture_output=True, text=True)
        if r.returncode != 0:
            errors.append("promtool rejects a query:\n" + r.stdout + r.stderr)


def check_live(url, exprs, errors):
    for where, expr in exprs:
        q = urllib.parse.urlencode({"query": substitute(expr)})
        with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=10) as r:
            body = json.load(r)
        if body.get("status") != "success":
            errors.append(f"{where}: query failed: {body}")
        elif not body["data"]["result"]:
            if any(where.startswith(f'panel "{t}"') for t in EMPTY_WHEN_HEALTHY):
                print(f"ok   {where}: empty (nothing in trouble)")
            elif read_metrics(expr) & OPT_IN_METRICS:  # none without its collector
                print(f"ok   {where}: empty (opt-in collector off)")
            else:
                errors.append(f"{where}: no data for {substitute(expr)}")
        else:
            print(f"ok   {where}: {len(body['data']['result'])} series")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dashboard", default=str(ROOT / "dashboards/nf-conntrack.json"))
    ap.add_argument("--prometheus", help="base URL of a Prometheus to query")
    args = ap.parse_args()
    dash = json.loads(pathlib.Path(args.dashboard).read_text())
    exprs = list(queries(dash))
    errors = []
    check_structure(dash, errors)
    check_fleet(dash, errors)
    if any(not e for _, e in exprs):
        errors.append("a query is empty")
    check_promql(exprs, errors)
    emitted = emitted_metrics()
    emitted |= recorded_metrics(emitted)
    used = set()
    for where, expr in exprs:
        names = metric_names(expr)
        used |= names
        for n in sorted(names - emitted):
            errors.append(f"{where} uses {n}, which the exporter does not emit")
    for n in sorted(REQUIRED_METRICS - used):
        errors.append(f"no panel shows {n}")
    if args.prometheus and not errors:
        check_live(args.prometheus.rstrip("/"), exprs, errors)
    for e in errors:
        print("FAIL", e)
    if errors:
        sys.exit(1)
    print(f"dashboard: {len(exprs)} queries checked, {len(used)} metrics, all emitted")


if __name__ == "__main__":
    main()

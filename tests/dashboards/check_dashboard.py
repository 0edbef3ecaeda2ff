#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks dashboards/nf-conntrack.json.

Offline: structure (fixed uid, datasource/job/instance variables, $instance
opening on one instance rather than All, title, description and unit on
every panel), every query and annotation valid PromQL (promtool checks each,
wrapped as a recording rule) and every metric it names one the exporter
really emits (taken from the golden /metrics files, which the real binary
renders) or one our recording rules (deploy/prometheus/rules.yml) record
from those. The Fleet row: its panels ignore $instance, and its
per-instance panels link to this dashboard for the instance clicked.
The host rows: laid out without overlap, Drops above Hash table; a
quantity (drops per second...) in one unit wherever it is shown, packets
dropped in pps; per-CPU counters summed over cpu; the limit drawn as its
own styled series, and an annotation where it changed. Links: the runbook
and the status page of $instance, and data links to runbook sections that
exist in docs/runbook.md.

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
sys.path.insert(0, str(ROOT / "scripts"))
import runbook_anchors  # noqa: E402  (scripts/, beside the renderer)
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
    """What Grafana sends with every job and instance chosen (and a 1m rate interval)."""
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
    """Names deploy/prometheus/rules.yml records, each from emitted metrics
    (directly, or through another recorded name)."""
    inputs = rule_inputs()
    for record in inputs:
        unknown = resolve({record}, inputs) - emitted
        if unknown:
            sys.exit(f"recording rule {record} reads {sorted(unknown)}, "
                     "which the exporter does not emit")
    return set(inputs)


def resolve(names, inputs):
    """names with every recorded one replaced by what it reads, recursively."""
    out, todo, seen = set(), list(names), set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in inputs:
            todo.extend(inputs[n])
        else:
            out.add(n)
    return out


def read_metrics(expr):
    """The exporter's metrics an expression reads, through recording rules."""
    return resolve(metric_names(expr), rule_inputs())


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
    """(where, expr) for every panel target, annotation and query variable."""
    for panel in dash["panels"]:
        for t in panel.get("targets", []):
            yield f'panel "{panel.get("title")}" {t.get("refId")}', t.get("expr", "")
    for anno in dash.get("annotations", {}).get("list", []):
        if anno.get("datasource", {}).get("type") == "prometheus":
            yield f'annotation "{anno.get("name")}"', anno.get("expr", "")
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
    job = variables.get("job", {})
    if not (job.get("multi") and job.get("includeAll")):
        errors.append("variable job must exist, be multi-value and include All")
    # The host rows open on one instance: with All neither offered nor
    # saved, Grafana selects the first value.
    inst = variables.get("instance", {})
    if not inst.get("multi"):
        errors.append("variable instance must exist and be multi-value")
    if inst.get("includeAll"):
        errors.append("variable instance must not include All: the host rows would open on every instance")
    current = inst.get("current") or {}
    if current and ("$__all" in json.dumps(current.get("value")) or
                    "All" in json.dumps(current.get("text"))):
        errors.append(f"variable instance defaults to All: {current}")
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


def rows(dash):
    """[(row, [its panels])] in the order of the panels list."""
    out = []
    for panel in dash["panels"]:
        if panel["type"] == "row":
            out.append((panel, []))
        elif out:
            out[-1][1].append(panel)
    return out


def check_layout(dash, errors):
    """Every panel below its row and above the next; none overlap; the Drops
    row above the Hash table row."""
    grouped = rows(dash)
    for i, (row, panels) in enumerate(grouped):
        top = row["gridPos"]["y"] + row["gridPos"]["h"]
        bottom = grouped[i + 1][0]["gridPos"]["y"] if i + 1 < len(grouped) else None
        for p in panels:
            g = p["gridPos"]
            if g["y"] < top or (bottom is not None and g["y"] + g["h"] > bottom):
                errors.append(f'panel "{p["title"]}" (y {g["y"]}..{g["y"] + g["h"]}) '
                              f'is outside its row "{row["title"]}" (y {top}..{bottom})')
            if g["x"] < 0 or g["x"] + g["w"] > 24:
                errors.append(f'panel "{p["title"]}" is wider than the grid')
        if panels and bottom is not None and bottom != max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels):
            errors.append(f'row "{grouped[i + 1][0]["title"]}" is not right below the panels of "{row["title"]}"')
    cells = {}
    for p in dash["panels"]:
        g = p["gridPos"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                if (x, y) in cells:
                    errors.append(f'panels "{cells[(x, y)]}" and "{p["title"]}" overlap at x {x}, y {y}')
                    break
                cells[(x, y)] = p["title"]
            else:
                continue
            break
    y = {row["title"]: row["gridPos"]["y"] for row, _ in grouped}
    order = ["Fleet", "Table", "Drops and failures", "Hash table"]
    missing = [t for t in order if t not in y]
    if missing:
        errors.append(f"rows missing: {missing}")
    elif [y[t] for t in order] != sorted(y[t] for t in order):
        errors.append(f"host rows must go {' > '.join(order)} by gridPos y: {[(t, y[t]) for t in order]}")


# Counters per CPU with --collector.stat.per-cpu: a rate of one, unless
# summed over cpu, is one series per CPU.
PER_CPU = re.compile(r"\b(rate|irate|increase)\(\s*nf_conntrack_stat_\w+")
DROPS = "nf_conntrack_stat_drop_total"


def check_units(dash, errors):
    """The same quantity in the same unit everywhere; packets dropped per
    second in pps; no per-CPU rate left unsummed."""
    inputs = rule_inputs()
    units = {}  # quantity -> {unit: [where]}
    for panel in dash["panels"]:
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        for t in panel.get("targets", []):
            expr = t["expr"]
            where = f'panel "{panel["title"]}" {t["refId"]}'
            if PER_CPU.search(expr) and not re.search(r"\b(without\s*\(\s*cpu\s*\)|by\s*\()", expr):
                errors.append(f"{where} rates a per-CPU counter without summing over cpu")
            names = metric_names(expr)
            is_rate = bool(re.search(r"\b(rate|irate)\(", expr)) or any(":rate" in n for n in names)
            if not is_rate or "increase(" in expr:
                continue
            quantity = frozenset(resolve(names, inputs))
            units.setdefault(quantity, {}).setdefault(unit, []).append(where)
            if DROPS in quantity and unit != "pps":
                errors.append(f"{where} shows packets dropped per second in {unit}, not pps")
    for quantity, by_unit in units.items():
        if len(by_unit) > 1:
            errors.append(f"{sorted(quantity)} per second in several units: {by_unit}")
    if not any(DROPS in q for q in units):
        errors.append("no panel shows packets dropped per second")


def check_links(dash, errors):
    """Links to the runbook and the status page of $instance; every data
    link into the runbook names a section it has."""
    links = {l.get("title"): l for l in dash.get("links", [])}
    want = {"Runbook": "http://${instance}/runbook",
            "Status page (doctor)": "http://${instance}/"}
    for title, url in want.items():
        l = links.get(title)
        if not l:
            errors.append(f'no dashboard link "{title}"')
        elif l.get("type") != "link" or l.get("url") != url or not l.get("targetBlank"):
            errors.append(f'dashboard link "{title}" must be a link to {url} in a new tab: {l}')
    anchors = runbook_anchors.anchors((ROOT / "docs/runbook.md").read_text())
    data_links = []
    for panel in dash["panels"]:
        fc = panel.get("fieldConfig", {})
        found = list(fc.get("defaults", {}).get("links", []))
        for o in fc.get("overrides", []):
            for prop in o["properties"]:
                if prop["id"] == "links":
                    found += prop["value"]
        data_links += [(panel["title"], l["url"]) for l in found]
    runbook = [(t, u) for t, u in data_links if "/runbook#" in u]
    for title, url in runbook:
        if not url.startswith("http://${__field.labels.instance}/runbook#"):
            errors.append(f'panel "{title}": runbook link {url} is not to the instance of the series')
        if url.split("#", 1)[1] not in anchors:
            errors.append(f'panel "{title}": {url} names no section of docs/runbook.md')
    linked = {t for t, _ in runbook}
    for title in ("Table usage", "Packets dropped"):
        if title not in linked:
            errors.append(f'panel "{title}" has no data link to the runbook')


def check_limit(dash, errors):
    """The limit drawn as its own, styled series beside the entries, and an
    annotation where it changed (a sysctl held, or kube-proxy set it back)."""
    shown = False
    for panel in dash["panels"]:
        targets = panel.get("targets", [])
        limit = [t for t in targets if "nf_conntrack_entries_limit" in metric_names(t["expr"])
                 and "nf_conntrack_entries" not in metric_names(t["expr"])]
        if panel["type"] != "timeseries" or not limit or len(limit) == len(targets):
            continue
        styled = {o["matcher"].get("options") for o in panel["fieldConfig"].get("overrides", [])
                  if o["matcher"].get("id") == "byFrameRefID"
                  and any(p["id"].startswith("custom.line") for p in o["properties"])}
        if all(t["refId"] in styled for t in limit):
            shown = True
    if not shown:
        errors.append("no time series draws the limit as a series of its own style beside the entries")
    annos = [a for a in dash.get("annotations", {}).get("list", [])
             if a.get("name") == "nf_conntrack_max changed"]
    if not annos:
        errors.append('no annotation "nf_conntrack_max changed"')
        return
    a = annos[0]
    expr = a.get("expr", "")
    if a.get("datasource", {}).get("uid") != "${datasource}" or not a.get("enable"):
        errors.append("the limit annotation must be enabled and query $datasource")
    m = re.search(r"changes\(nf_conntrack_entries_limit\{([^}]*)\}\[2m\]\)\s*>\s*0", expr)
    if not m or 'job=~"$job"' not in m.group(1) or 'instance=~"$instance"' not in m.group(1):
        errors.append(f"the limit annotation must be changes(nf_conntrack_entries_limit{{..$job..$instance}}[2m]) > 0: {expr}")
    if a.get("titleFormat") != "nf_conntrack_max changed":
        errors.append("the limit annotation's title must be 'nf_conntrack_max changed'")
    # Grafana renders labels only into the text: the new value must be one.
    value = re.search(r'count_values\b.*?\(\s*"(\w+)"', expr)
    if not value or "{{%s}}" % value.group(1) not in a.get("textFormat", ""):
        errors.append("the limit annotation's text does not show the new value")


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
            elif where.startswith("annotation "):
                print(f"ok   {where}: empty (nothing changed)")
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
    check_layout(dash, errors)
    check_units(dash, errors)
    check_links(dash, errors)
    check_limit(dash, errors)
    if any(not e for _, e in exprs):
        errors.append("a query is empty")
    check_promql(exprs, errors)
    emitted = emitted_metrics()
    emitted |= recorded_metrics(emitted)
    used = set()
    for where, expr in exprs:
        names = metric_names(expr)
        used |= names | read_metrics(expr)
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

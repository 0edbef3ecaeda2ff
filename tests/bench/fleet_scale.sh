#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Scale check of the recording rules and the dashboard's Fleet queries, on
# demand (not part of the test suite): one real Prometheus scrapes TARGETS
# targets (default 1,000) through file_sd, each a distinct instance label
# over one of EXPORTERS exporters (default 4) on loopback, in a network
# namespace of its own (always deleted). Once every target is up and the
# rules have run EVALS times, it reports:
#   - each rule group's evaluation time (Prometheus' own summary);
#   - each Fleet query's time through the HTTP API (Prometheus' evalTotalTime
#     and the client's wall time, median of REPEATS), and the same query on
#     the raw series, to show what the recording rules save.
#
# usage: sudo tests/bench/fleet_scale.sh EXPORTER [TARGETS] [EXPORTERS]
set -euo pipefail
exporter=$(realpath "$1")
targets=${2:-1000}
exporters=${3:-4}
evals=8 repeats=21
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/../lib.sh"
((EUID == 0)) || fail "needs root (a network namespace)"
require_tools ip prometheus python3 curl
init_workspace "nfce-fleet-$$"
ip netns add "$ns"
ip -n "$ns" link set lo up
in_ns() { ip netns exec "$ns" "$@"; }
# Servers are started with ip netns exec directly: it execs the program, so
# $! is the server's pid and the cleanup stops it.

for i in $(seq 0 $((exporters - 1))); do
  ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$((19400 + i))" 2>"$work/exporter-$i.log" &
  pids+=($!)
done
python3 - "$targets" "$exporters" >"$work/targets.json" <<'PY'
import json, sys
n, e = int(sys.argv[1]), int(sys.argv[2])
print(json.dumps([{"targets": [f"127.0.0.1:{19400 + i % e}"],
                   "labels": {"instance": f"node-{i:05d}"}} for i in range(n)]))
PY
cp "$root/deploy/prometheus/rules.yml" "$root/deploy/prometheus/alerts.yml" "$work/"
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 15s
  evaluation_interval: 15s
rule_files: [rules.yml, alerts.yml]
scrape_configs:
  - job_name: conntrack
    file_sd_configs:
      - files: ['$work/targets.json']
YAML
pport=9099
ip netns exec "$ns" prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$pport" --log.level=warn 2>"$work/prometheus.log" &
pids+=($!)
in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$pport/-/ready 60"

echo "machine: $(nproc) CPUs, kernel $(uname -r); $(prometheus --version 2>&1 | sed -n 1p)"
echo "$targets targets over $exporters exporters; scrape and evaluation every 15 s"
in_ns python3 - "$pport" "$targets" "$evals" "$repeats" "$root" <<'PY'
import json, statistics, sys, time, urllib.parse, urllib.request
port, targets, evals, repeats, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
api = f"http://127.0.0.1:{port}/api/v1"

def query(q, stats=False):
    args = {"query": q}
    if stats:
        args["stats"] = "all"
    t0 = time.perf_counter()
    with urllib.request.urlopen(f"{api}/query?{urllib.parse.urlencode(args)}", timeout=60) as r:
        body = json.load(r)
    wall = time.perf_counter() - t0
    if body["status"] != "success":
        sys.exit(f"query failed: {q}: {body}")
    return body["data"], wall

def value(q):
    data, _ = query(q)
    return float(data["result"][0]["value"][1]) if data["result"] else 0.0

deadline = time.time() + 600   # bounded: every target up and EVALS evaluations
while value('count(up{job="conntrack"} == 1)') < targets:
    if time.time() > deadline:
        sys.exit("not every target came up within 10 minutes")
    time.sleep(2)
samples = value('sum(scrape_samples_scraped{job="conntrack"})')
print(f"all {targets} targets up; {samples:.0f} series scraped from them")
# Prometheus' own metrics, from its /metrics (it does not scrape itself).
def own_metric(name, group):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + "{") and f';{group}"' in line:
                return float(line.rsplit(" ", 1)[1])
    return 0.0

# Each group's last duration, sampled once per evaluation (deduplicated on
# its last-evaluation timestamp) until each group has run EVALS times.
groups = ("nf_conntrack.rules", "nf_conntrack")
durations = {g: {} for g in groups}
while min(len(d) for d in durations.values()) < evals:
    if time.time() > deadline:
        sys.exit("the rules did not run often enough within 10 minutes")
    for g in groups:
        at = own_metric("prometheus_rule_group_last_evaluation_timestamp_seconds", g)
        if at > 0:
            durations[g][at] = own_metric("prometheus_rule_group_last_duration_seconds", g)
    time.sleep(1)

print(f"\nrule group evaluation time over {targets} instances, ms "
      f"({evals} evaluations each)")
print(f"{'group':>20} | {'rules':>5} | {'median':>7} | {'max':>7}")
for g in groups:
    ms = [v * 1e3 for v in durations[g].values()]
    rules = own_metric("prometheus_rule_group_rules", g)
    print(f"{g:>20} | {rules:5.0f} | {statistics.median(ms):7.2f} | {max(ms):7.2f}")

dash = json.load(open(f"{root}/dashboards/nf-conntrack.json"))
fleet = []
for p in dash["panels"][1:]:
    if p["type"] == "row":
        break
    fleet += [(p["title"], t["expr"].replace("$job", ".+")) for t in p["targets"]]
# The same questions asked of the raw series, as a dashboard without the
# recording rules would have to.
usage_raw = "nf_conntrack_entries{job=~\".+\"} / (nf_conntrack_entries_limit{job=~\".+\"} > 0)"
raw = [("raw: topk by usage", f"topk(20, {usage_raw})"),
       ("raw: count above 75 %", f"count({usage_raw} > 0.75) or vector(0)"),
       ("raw: dropping now", "sort_desc(rate(nf_conntrack_stat_drop_total{job=~\".+\"}[5m]) > 0)")]

print(f"\nFleet queries through the HTTP API over {targets} instances, median of {repeats}")
print(f"{'query':>40} | {'series':>6} | {'Prometheus eval ms':>18} | {'client wall ms':>14}")
for title, expr in fleet + raw:
    evals_ms, walls = [], []
    for _ in range(repeats):
        data, wall = query(expr, stats=True)
        evals_ms.append(data["stats"]["timings"]["evalTotalTime"] * 1e3)
        walls.append(wall * 1e3)
    print(f"{title[:40]:>40} | {len(data['result']):6d} | "
          f"{statistics.median(evals_ms):18.3f} | {statistics.median(walls):14.3f}")
PY

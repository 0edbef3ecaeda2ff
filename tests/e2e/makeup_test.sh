#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What fills the table, on the real kernel, in a network namespace of its own
# (always deleted), on a table whose make-up the test builds itself:
#   - one client (10.0.0.7) with 300 unreplied DNS queries to 10.0.0.53;
#   - established TCP entries inserted with `conntrack -I -t T`, so that each
#     one's idle time is known: the established timeout minus T;
#   - fresh established entries, TIME_WAIT entries, and an IPv6 /64 of
#     assured UDP streams.
# The exporter's top-K series and every bucket of its idle histogram, and the
# doctor's make-up, figures and advice, must be exact. Then the doctor in a
# child namespace must give host-side advice (the kernel command line where
# conntrack is built in).
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
require_tools ip nft conntrack curl ss python3 promtool
init_workspace "nfce-makeup-$$"

port=19373 slow_port=19374
create_test_netns "$ns" "$port" "$slow_port"
established=$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established)
stream=$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_udp_timeout_stream)
echo "established timeout $established s, UDP stream timeout $stream s"

# The table, as groups: name count source destination protocol dport state
# timeout(-t). Idle times are (timeout sysctl - t), chosen far from every
# bucket bound so that the seconds the test takes cannot move an entry.
cat >"$work/groups.txt" <<GROUPS
dns     300  10.0.0.7  10.0.0.53 udp 53   -           600
old     200  10.2.0.1  10.3.0.1  tcp 443  ESTABLISHED $((established - 428400))
day     70   10.2.0.5  10.3.0.2  tcp 22   ESTABLISHED $((established - 82000))
hours   100  10.2.0.2  10.3.0.2  tcp 443  ESTABLISHED $((established - 32000))
three   50   10.2.0.3  10.3.0.4  tcp 5432 ESTABLISHED $((established - 10000))
fresh   150  10.2.0.4  10.3.0.1  tcp 80   ESTABLISHED $established
closed  80   10.2.0.6  10.3.0.3  tcp 8080 TIME_WAIT   120
v6      30   2001:db8:1:2:: 2001:db8::1 udp 443 stream $((stream - 5))
GROUPS
awk '{
  n = $2
  for (i = 0; i < n; i++) {
    src = $3
    if (src ~ /:$/) src = sprintf("%s%x", src, i + 1)   # one /64, n hosts
    flags = ""
    if ($7 == "ESTABLISHED" || $7 == "TIME_WAIT") flags = " --state " $7 " -u SEEN_REPLY,ASSURED"
    if ($7 == "stream") flags = " -u SEEN_REPLY,ASSURED"
    printf "-I -s %s -d %s -p %s --sport %d --dport %d%s -t %d\n", src, $4, $5, 1024 + i, $6, flags, $8
  }
}' "$work/groups.txt" >"$work/table.txt"
total=$(awk '{ n += $2 } END { print n }' "$work/groups.txt")

ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$port" \
  --collector.flows --collector.flows.interval=1s --collector.flows.top=10 \
  2>"$work/exporter.log" &
pids+=($!)
in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$port/metrics 10"

step "build the table: $total entries"
in_ns conntrack -R "$work/table.txt"
expect_eq "conntrack -C" "$(in_ns conntrack -C)" "$total"
wait_value "sum of nf_conntrack_flows" "sum_of 'nf_conntrack_flows{'" "$total" 15
metrics=$(scrape)
printf '%s\n' "$metrics" >"$work/metrics.txt"

# A small reader of the text format, shared by the checks below.
cat >"$work/samples.py" <<'PY'
import re
def samples(path, name):
    """[(labels dict, value)] of the samples of metric `name`."""
    out = []
    for line in open(path):
        m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line.strip())
        if m and m[1] == name:
            out.append((dict(re.findall(r'(\w+)="([^"]*)"', m[2] or "")), float(m[3])))
    return out
PY
export PYTHONPATH=$work

lint=$(promtool check metrics <"$work/metrics.txt" 2>&1) || true
[[ -z "$lint" ]] || fail "promtool check metrics on the flows metrics: $lint"
echo "ok   promtool check metrics: clean, with the top lists and histograms"

step "top sources and destinations: every series, exact"
# Expected from the groups: entries per source (IPv6 as its /64) and per
# destination address, protocol and port, largest first.
python3 - "$work/groups.txt" "$work/metrics.txt" <<'PY'
import re, sys
from collections import Counter
groups = [l.split() for l in open(sys.argv[1]) if l.strip()]
src, dst = Counter(), Counter()
for name, n, s, d, proto, port, state, t in groups:
    s = s + "/64" if s.endswith("::") else s
    src[s] += int(n)
    dst[(d, proto, port)] += int(n)
from samples import samples
got_src = {l["address"]: v for l, v in samples(sys.argv[2], "nf_conntrack_flows_top_source_entries")}
got_dst = {(l["address"], l["protocol"], l["port"]): v
           for l, v in samples(sys.argv[2], "nf_conntrack_flows_top_destination_entries")}
bound = {l["list"]: v for l, v in samples(sys.argv[2], "nf_conntrack_flows_top_error_bound_entries")}
want_src = {k: float(v) for k, v in src.most_common(10)}
want_dst = {k: float(v) for k, v in dst.most_common(10)}
assert got_src == want_src, f"top sources {got_src} != {want_src}"
assert got_dst == want_dst, f"top destinations {got_dst} != {want_dst}"
assert bound == {"source": 0.0, "destination": 0.0, "snat": 0.0}, bound
print(f"ok   {len(got_src)} top source series and {len(got_dst)} top destination series exact, error bound 0")
PY

step "idle histograms: every bucket, exact"
python3 - "$work/groups.txt" "$work/metrics.txt" "$established" "$stream" <<'PY'
import re, sys
groups = [l.split() for l in open(sys.argv[1]) if l.strip()]
established, stream = int(sys.argv[3]), int(sys.argv[4])
bounds = [60, 300, 900, 3600, 10800, 36000, 86400, 172800, 432000]
def want(state, timeout):
    idle = [(timeout - int(t), int(n)) for _, n, _, _, _, _, st, t in groups if st == state]
    b = {str(x): sum(n for i, n in idle if i <= x) for x in bounds}
    b["+Inf"] = sum(n for _, n in idle)
    return b
from samples import samples
got = {}
for l, v in samples(sys.argv[2], "nf_conntrack_flows_idle_seconds_bucket"):
    le = l["le"] if l["le"] == "+Inf" else str(int(float(l["le"])))
    got.setdefault((l["protocol"], l["state"]), {})[le] = int(v)
for key, w in {("tcp", "established"): want("ESTABLISHED", established),
               ("udp", "stream"): want("stream", stream)}.items():
    g = got.get(key, {})
    assert g == w, f"{key}: {g} != {w}"
    print(f"ok   {key[0]} {key[1]}: {len(w)} buckets exact, +Inf {w['+Inf']}")
PY
expect_eq "excluded established" "$(value 'nf_conntrack_flows_idle_excluded_entries{protocol="tcp",state="established"}' "$metrics")" 0

step "the doctor: make-up, figures and advice from one dump, exact"
in_ns "$exporter" doctor --kernel-log= --output=json >"$work/doctor.json" || true
in_ns "$exporter" doctor --kernel-log= >"$work/doctor.txt" || true
cat "$work/doctor.txt"
python3 - "$work/groups.txt" "$work/doctor.json" "$established" <<'PY'
import json, sys
from collections import Counter
groups = [l.split() for l in open(sys.argv[1]) if l.strip()]
d = json.load(open(sys.argv[2]))
established = int(sys.argv[3])
m = d["makeup"]
total = sum(int(g[1]) for g in groups)
assert m["entries"] == total, (m["entries"], total)
unreplied = sum(int(g[1]) for g in groups if g[6] == "-")
assert m["unreplied"] == unreplied, (m["unreplied"], unreplied)
src = Counter()
for g in groups:
    src[g[2] + "/64" if g[2].endswith("::") else g[2]] += int(g[1])
top5 = [(s["address"], s["entries"]) for s in m["top_sources"]]
assert top5 == src.most_common(5), (top5, src.most_common(5))
idle = {g[0]: established - int(g[7]) for g in groups if g[6] == "ESTABLISHED"}
n = {g[0]: int(g[1]) for g in groups}
over = lambda x: sum(n[k] for k, i in idle.items() if i > x)
advice = d["advice"]
a = advice[0]["finding"]
want = (f"{over(36000)} established TCP entries ({100 * over(36000) / total:.1f}% of the table) "
        f"have been idle for more than 10 h")
assert want in a, (want, a)
assert f"at 36000 s these {over(36000)} entries would have expired already" in a, a
assert f"frees {over(36000)} entries now" in a, a
for c in (86400, 36000, 10800, 3600):
    f = f"timeout {c} s"
    fig = [x for x in advice[0]["figures"] if x.startswith(f)]
    assert fig and f"{over(c)} of {sum(n[k] for k in idle)} established entries would have expired" in fig[0], (c, fig)
findings = " | ".join(x["finding"] for x in advice)
assert f"10.0.0.53 udp/53 has {n['dns']} of {total} entries" in findings, findings
assert f"10.0.0.7 has {n['dns']} of {total} entries, {n['dns']} of them unreplied" in findings, findings
assert f"{unreplied} entries ({100 * unreplied / total:.1f}%) have never seen a reply" in findings, findings
print(f"ok   doctor: {total} entries, {unreplied} unreplied, top 5 sources, "
      f"{over(36000)} idle > 10 h, figures for 4 timeouts, DNS / client / unreplied advice")
PY
grep -qF "What fills the table" "$work/doctor.txt" || { cat "$work/doctor.txt"; fail "the text report has no make-up"; }
grep -qF "udp dport 53 notrack" "$work/doctor.txt" || { cat "$work/doctor.txt"; fail "no notrack rule for DNS"; }
echo "ok   text report: make-up section and the notrack rule"

step "the status page shows the make-up from the flows collector"
page_says "$port" "What fills the table" "the make-up"
dns=$(awk '$1 == "dns" { print $2 }' "$work/groups.txt")
page_says "$port" "10.0.0.7: $dns entries" "the top source"

step "a CPU bound far below a dump's cost stretches the interval, and says so"
# 0.001 % of a CPU: a dump of this table (a few ms) then waits minutes.
ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$slow_port" \
  --collector.flows --collector.flows.interval=1s --collector.flows.max-cpu=0.00001 \
  2>"$work/slow.log" &
pids+=($!)
in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$slow_port/metrics 10"
wait_value "sum of nf_conntrack_flows (bounded instance)" \
  "port=$slow_port sum_of 'nf_conntrack_flows{'" "$total" 15
slow=$(port=$slow_port scrape)
cpu=$(value nf_conntrack_flows_refresh_cpu_seconds "$slow")
pause=$(value nf_conntrack_flows_refresh_interval_seconds "$slow")
wall=$(value nf_conntrack_flows_refresh_duration_seconds "$slow")
python3 -c "import sys; cpu, pause, wall = map(float, sys.argv[1:]); \
sys.exit(0 if cpu > 0 and abs(pause - max(1, cpu / 0.00001 - wall)) <= 0.01 * pause else 1)" \
  "$cpu" "$pause" "$wall" ||
  fail "interval in use $pause s, want max(1, $cpu / 0.00001 - $wall)"
echo "ok   interval in use = $pause s for $cpu s of CPU (asked: 1 s)"
page_says "$slow_port" "not every 1s (--collector.flows.interval)" \
  "the interval in use, and why"

step "the doctor in this child namespace gives host-side advice"
python3 - "$work/doctor.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["netns_initial"] is False, d["netns_initial"]
r = d["recommendation"]
steps = r["steps"]
assert all(s["where"] in ("host", "kernel-command-line", "kube-proxy") for s in steps), steps
assert any("child network namespace" in n for n in r["notes"]), r["notes"]
grow = d["buckets"] is not None and r["buckets"] > d["buckets"]
if d["conntrack_builtin"] and grow:
    assert {"where": "kernel-command-line", "persistent": True,
            "text": f"nf_conntrack.hashsize={r['buckets']}"} in steps, steps
    assert not any("modprobe" in s["text"] for s in steps), steps
    print(f"ok   child namespace, conntrack built in: host steps, kernel command line nf_conntrack.hashsize={r['buckets']}")
elif d["conntrack_builtin"] is False and grow:
    assert any("/etc/modprobe.d/" in s["text"] for s in steps), steps
    print("ok   child namespace, conntrack a module: host steps, modprobe.d")
else:
    print(f"ok   child namespace: host steps only (buckets {d['buckets']} already enough)")
PY
step "the doctor's delete command frees exactly the entries idle longer than 10 h"
python3 - "$work/doctor.json" >"$work/delete.sh" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
steps = d["advice"][0]["steps"]
print(next(s["text"] for s in steps if s["text"].startswith("conntrack -L")))
PY
cat "$work/delete.sh"
before=$(in_ns conntrack -C)
in_ns bash "$work/delete.sh" >/dev/null 2>&1
idle_long=$(awk -v e="$established" '$7 == "ESTABLISHED" && e - $8 > 36000 { n += $2 } END { print n }' "$work/groups.txt")
expect_eq "entries after the delete command" "$(in_ns conntrack -C)" "$((before - idle_long))"
expect_eq "established entries idle > 10 h left" \
  "$(in_ns conntrack -L -p tcp --state ESTABLISHED 2>/dev/null | awk -v t=$((established - 36000)) '$3 < t' | wc -l)" 0
echo "makeup: all checks passed"

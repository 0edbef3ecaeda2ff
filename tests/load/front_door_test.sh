#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The front door under attack for a minute, on loopback (tests/load/
# front_door.py): 2,000 idle TCP connections, 200 slowloris clients and 200
# that send one request and hold their kept-alive connection, each
# reconnecting when closed. Every scrape of the two well-behaved clients (a
# kept-alive one, as Prometheus, and a new connection each second) must be
# answered 200 within 1 s; the kept-alive one must never lose its
# connection (attackers are shed first); memory and threads stay bounded,
# and the door's counters say what it closed. Figures are printed.
#
# usage: front_door_test.sh EXPORTER [SECONDS]
set -euo pipefail
exporter=$(realpath "$1")
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
require_tools python3 curl ss
init_workspace
fixtures=$here/../fixtures/linux-6.18
port=$(free_port)
"$exporter" --web.listen-address="127.0.0.1:$port" \
  --path.procfs="$fixtures/proc" --path.sysfs="$fixtures/sys" 2>"$work/exporter.log" &
pid=$!
pids+=($pid)
wait_http "http://127.0.0.1:$port/metrics" 10
max_connections=256

timeout $((seconds + 120)) python3 "$here/front_door.py" "$port" "$pid" "$seconds" >"$work/result.json"
curl -fsS --max-time 5 -o "$work/after.prom" "http://127.0.0.1:$port/metrics" ||
  fail "the exporter does not answer after the attack"
python3 - "$work/result.json" "$max_connections" "$work/after.prom" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
limit = int(sys.argv[2])
metrics = open(sys.argv[3]).read()
dropped = {m[0]: float(m[1]) for m in re.findall(
    r'nf_conntrack_exporter_http_connections_dropped_total\{reason="(\w+)"\} (\S+)', metrics)}
bad = []
for kind in ("kept_alive", "new_connection"):
    scrapes = d[kind]["scrapes"]
    slow = [s for s in scrapes if s["status"] != 200 or s["seconds"] > 1]
    worst = max(s["seconds"] for s in scrapes)
    p50 = sorted(s["seconds"] for s in scrapes)[len(scrapes) // 2]
    print(f"     {kind}: {len(scrapes)} scrapes, p50 {p50 * 1000:.1f} ms, "
          f"worst {worst * 1000:.1f} ms, failed or over 1 s: {len(slow)}")
    if slow or len(scrapes) < 10:
        bad.append(f"{kind}: {slow[:5]}")
print(f"     attackers met: {d['attackers']}")
print(f"     exporter: peak RSS {d['peak_rss_kib'] / 1024:.1f} MiB, "
      f"peak threads {d['peak_threads']}, CPU {d['cpu_share'] * 100:.0f} % of one")
print(f"     the door closed: {dropped}")
if d["kept_alive"]["reconnected"]:
    bad.append("the kept-alive scraper lost its connection "
               f"{d['kept_alive']['reconnected']} time(s): Prometheus shed")
if d["peak_threads"] > limit + 16:
    bad.append(f"{d['peak_threads']} threads, more than the {limit} connections allow")
if d["peak_rss_kib"] > 64 * 1024:
    bad.append(f"peak RSS {d['peak_rss_kib']} KiB, above the unit's MemoryMax=64M")
if not (dropped.get("silent", 0) > 0 and dropped.get("slow", 0) + dropped.get("idle", 0) > 0):
    bad.append(f"the door's counters do not show the attack: {dropped}")
if bad:
    sys.exit("FAIL " + "; ".join(bad))
PY
echo "front door: every well-behaved scrape answered within 1 s under attack"

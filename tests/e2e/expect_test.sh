#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The expectation table on the real kernel, in a lab of three network
# namespaces of its own (always deleted): an FTP client, a router with an nft
# `ct helper "ftp"` rule on tcp/21, and a server that answers PASV with
# `227 Entering Passive Mode (...)`, which makes the router's kernel create an
# expectation. Two exporters run on the router, one reading procfs, one
# ctnetlink.
#
# 1. 5 control connections: nf_conntrack_expect_entries equals
#    `conntrack -L expect | wc -l` (5) from both sources, and the expectation
#    counters are the same from both.
# 2. More control connections than nf_conntrack_expect_max (the default limit
#    is filled, never lowered): the table holds the limit, the kernel logs
#    "expectation table full", ConntrackExpectationTableNearlyFull fires in a
#    real Prometheus with our rules, and the doctor and the status page say so.
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
require_tools ip nft conntrack curl prometheus promtool python3 dmesg
init_workspace "nfce-expect-$$"   # the router; $ns

eport=19372 nport=19373 pport=9090
create_test_netns "$ns" "$eport" "$nport" "$pport"
client=nfce-expc-$$ server=nfce-exps-$$
router_lab "$client" "$server"
# The helper is given explicitly (automatic assignment is gone since 6.0).
in_ns nft -f - <<'NFT'
table inet nfce_ftp {
  ct helper ftp_standard { type "ftp" protocol tcp; }
  chain prerouting_helper {
    type filter hook prerouting priority filter;
    tcp dport 21 ct helper set "ftp_standard"
  }
}
NFT

# The server and the client: a control connection that reads the greeting,
# sends PASV and reads the 227 answer (3 s at most: the helper drops the
# answer it cannot make an expectation for), and stays open.
cat >"$work/ftp.py" <<'PY'
import asyncio, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (16384, 16384))

async def server():
    n = 0
    async def handle(reader, writer):
        nonlocal n
        n += 1
        port = 30000 + n % 30000
        writer.write(b"220 lab\r\n")
        await writer.drain()
        while line := await reader.readline():
            if line.startswith(b"PASV"):
                writer.write(b"227 Entering Passive Mode (198,51,100,2,%d,%d)\r\n"
                             % (port // 256, port % 256))
                await writer.drain()
    srv = await asyncio.start_server(handle, "198.51.100.2", 21, backlog=4096)
    await srv.serve_forever()

async def client(count):
    held, answered, gate = [], 0, asyncio.Semaphore(200)
    async def one():
        nonlocal answered
        async with gate:
            reader, writer = await asyncio.open_connection("198.51.100.2", 21)
            held.append(writer)
            await reader.readline()
            writer.write(b"PASV\r\n")
            await writer.drain()
            try:
                await asyncio.wait_for(reader.readline(), 3)
                answered += 1
            except asyncio.TimeoutError:
                pass
    await asyncio.gather(*(one() for _ in range(count)))
    print("answered", answered, flush=True)
    await asyncio.sleep(900)

asyncio.run(server() if sys.argv[1] == "server" else client(int(sys.argv[2])))
PY
ip netns exec "$server" python3 "$work/ftp.py" server &
pids+=($!)
deadline=$((SECONDS + 10))
until [[ "$(ip netns exec "$server" ss -Hltn 'sport = :21')" == *LISTEN* ]]; do
  ((SECONDS < deadline)) || fail "the FTP server did not listen"
  sleep 0.2
done

ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$eport" 2>"$work/procfs.log" &
pids+=($!)
ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$nport" \
  --collector.expect.source=netlink --collector.stat.source=netlink 2>"$work/netlink.log" &
pids+=($!)
for p in $eport $nport; do
  in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$p/metrics 10"
done
prometheus_in_ns "$pport" "$eport" rules

expectations() { in_ns conntrack -L expect 2>/dev/null | wc -l; }
# from PORT NAME: one sample of the exporter on PORT.
from() { port=$1 value "$2"; }
# The kernel log is a ring: on a busy host its oldest lines go as new ones
# come, so lines are counted after a timestamp, never as a difference of
# totals. log_mark: the last line's timestamp; log_lines_since MARK: the
# "expectation table full" lines after it.
log_mark() {
  dmesg | awk 'match($0, /^\[ *[0-9.]+\]/) { t = substr($0, 2, RLENGTH - 2) }
    END { sub(/^ +/, "", t); print (t == "" ? 0 : t) }'
}
log_lines_since() {
  dmesg | awk -v mark="$1" 'match($0, /^\[ *[0-9.]+\]/) && substr($0, 2, RLENGTH - 2) + 0 > mark + 0 &&
    /expectation table full/ { n++ } END { print n + 0 }'
}
limit=$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_expect_max)
((limit > 0 && limit <= 8192)) || skip_or_fail "nf_conntrack_expect_max=$limit cannot be filled in a test"

step "1. five FTP control connections through the helper"
ip netns exec "$client" python3 "$work/ftp.py" client 5 >"$work/client1.out" &
pids+=($!)
wait_value "conntrack -L expect | wc -l" expectations 5 30
for p in $eport $nport; do
  wait_value "nf_conntrack_expect_entries from :$p" "from $p nf_conntrack_expect_entries" 5 10
done
expect_eq "source of :$eport" "$(from $eport 'nf_conntrack_expect_source_info{source="procfs"}')" 1
expect_eq "source of :$nport" "$(from $nport 'nf_conntrack_expect_source_info{source="ctnetlink"}')" 1
for c in expect_new expect_create expect_delete; do
  expect_eq "nf_conntrack_stat_${c}_total, procfs = ctnetlink" \
    "$(from $eport "nf_conntrack_stat_${c}_total")" "$(from $nport "nf_conntrack_stat_${c}_total")"
done
(($(from $eport nf_conntrack_stat_expect_create_total) >= 5)) ||
  fail "expect_create is below the 5 expectations created"
expect_eq "nf_conntrack_expect_entries_limit" "$(from $eport nf_conntrack_expect_entries_limit)" "$limit"

step "2. $((limit + 50)) control connections more: the expectation table fills ($limit)"
mark=$(log_mark)
ip netns exec "$client" python3 "$work/ftp.py" client $((limit + 50)) >"$work/client2.out" &
pids+=($!)
wait_value "conntrack -L expect | wc -l" expectations "$limit" 120
for p in $eport $nport; do
  wait_value "nf_conntrack_expect_entries from :$p" "from $p nf_conntrack_expect_entries" "$limit" 10
done
wait_value "answers the client did not get (refused expectations)" \
  "awk '/^answered/ { print ($limit + 50 - \$2 > 0) }' $work/client2.out" 1 60
# The line is rate-limited together with every other netfilter warning of
# the host (net_ratelimit: a burst of 10 per 5 s), and a test that dropped
# packets just before can have used the budget up. Expectations are refused
# as long as clients ask: ask again, in small batches, until the line shows.
deadline=$((SECONDS + 30)) batch=0
until (($(log_lines_since "$mark") > 0)); do
  ((SECONDS < deadline)) ||
    fail "no 'expectation table full' line in the kernel log in 30 s of refused expectations"
  batch=$((batch + 1))
  ip netns exec "$client" python3 "$work/ftp.py" client 10 >"$work/client-more-$batch.out" &
  pids+=($!)
  wait_value "batch $batch of 10 more control connections answered or refused" \
    "awk '/^answered/ { print 1 }' $work/client-more-$batch.out" 1 20 >/dev/null
done
lines=$(log_lines_since "$mark")
echo "ok   the kernel logged 'expectation table full' ($lines new line(s), rate-limited; $batch batch(es) more asked)"
deadline=$((SECONDS + 60))
until out=$(alerts_named ConntrackExpectationTableNearlyFull) && [[ "$out" == *firing* ]]; do
  ((SECONDS < deadline)) || fail "ConntrackExpectationTableNearlyFull did not fire: ${out:-inactive}"
  sleep 1
done
echo "ok   ConntrackExpectationTableNearlyFull fires"

code=0
in_ns "$exporter" doctor --no-flows --no-namespaces --output=text >"$work/doctor.txt" || code=$?
((code == 2)) || { cat "$work/doctor.txt"; fail "doctor exit $code, want 2 (CRITICAL)"; }
grep -qxF "  $limit expectations of $limit (nf_conntrack_expect_max, 100.0%), from /proc/net/nf_conntrack_expect" \
  "$work/doctor.txt" || { cat "$work/doctor.txt"; fail "the doctor's Expectations section"; }
grep -qF "sysctl -w net.netfilter.nf_conntrack_expect_max=" "$work/doctor.txt" ||
  { cat "$work/doctor.txt"; fail "the doctor gives no command to raise the limit"; }
in_ns "$exporter" doctor --no-flows --no-namespaces --output=json >"$work/doctor.json" || true
python3 - "$limit" "$work/doctor.json" <<'PY' || fail "the doctor's JSON does not report the full expectation table"
import json, sys
limit = int(sys.argv[1])
d = json.load(open(sys.argv[2]))
f = {x["code"]: x for x in d["findings"]}
assert d["expectations"]["entries"] == limit, d["expectations"]
assert f["expect_nearly_full"]["severity"] == "warning", f["expect_nearly_full"]
log = f["kernel_log_expect_full"]
assert log["severity"] == "critical" and log["numbers"]["here"], log
assert log["numbers"]["lines"] >= 1, log
PY
echo "ok   doctor: CRITICAL, the expectation table full, the kernel log's lines, the command"
page_says "$eport" "$limit expectations of $limit" "the expectation section"
echo "expect e2e: all checks passed ($limit expectations at the limit, $lines kernel log line(s))"

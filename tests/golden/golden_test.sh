#!/usr/bin/env bash
# Renders the full /metrics output of the exporter for every fixture tree and
# diffs it against tests/golden/<tree>.prom; checks each with promtool. Then
# serves each malformed overlay (on top of linux-6.18) and checks that only
# the expected collector fails, with a clear error in the log.
#
# usage: golden_test.sh EXPORTER [--update]   (--update rewrites the files)
set -euo pipefail
exporter=$(realpath "$1")
update=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../fixtures
source "$here/../lib.sh"
command -v promtool >/dev/null || fail "promtool not found (Debian package prometheus)"

work=$(mktemp -d)
pid=
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# scrape TREE LOG: serves TREE's proc and sys, prints one scrape of /metrics.
scrape() {
  local tree=$1 log=$2 port
  port=$(free_port)
  "$exporter" --web.listen-address="127.0.0.1:$port" \
    --path.procfs="$tree/proc" --path.sysfs="$tree/sys" \
    --collector.stat.source=procfs --collector.expect.source=procfs 2>"$log" &
  pid=$!
  wait_http "http://127.0.0.1:$port/metrics" 10
  curl -fsS "http://127.0.0.1:$port/metrics"
  kill "$pid"
  wait "$pid" || true
  pid=
}

failures=0
for tree in "$fixtures"/*/; do
  name=$(basename "$tree")
  [[ "$name" == malformed ]] && continue
  scrape "$tree" "$work/$name.log" | normalise_metrics >"$work/$name.prom"
  if lint=$(promtool check metrics <"$work/$name.prom" 2>&1); [[ -n "$lint" ]]; then
    echo "FAIL $name: promtool check metrics: $lint"
    failures=$((failures + 1))
  fi
  golden_compare "$work/$name.prom" "$here/$name.prom" "$update" \
    "$name /metrics" || failures=$((failures + 1))
done

collectors="table stat expect slab timeouts"
# check_overlay NAME TREE EXPECTED MESSAGE: only EXPECTED fails, and the log
# names it with MESSAGE. Sets $out to the scrape.
check_overlay() {
  local name=$1 tree=$2 expected=$3 message=$4 ok=1 c want errors
  local log=$work/${name//\//-}.log
  out=$(scrape "$tree" "$log")
  for c in $collectors; do
    want=1
    [[ "$c" == "$expected" ]] && want=0
    grep -qx "nf_conntrack_scrape_collector_success{collector=\"$c\"} $want" <<<"$out" ||
      { echo "FAIL $name: success{collector=\"$c\"} is not $want"; ok=0; }
  done
  errors=$(grep 'level=error' "$log" | grep -F "collector=\"$expected\"" || true)
  grep -qF -- "$message" <<<"$errors" ||
    { echo "FAIL $name: no error log naming $expected with: $message"; cat "$log"; ok=0; }
  if ((ok)); then echo "ok   $name"; else failures=$((failures + 1)); fi
}
for overlay in "$fixtures"/malformed/*/; do
  name=$(basename "$overlay")
  tree=$work/tree-$name
  cp -r "$fixtures/linux-6.18" "$tree"
  cp -r "$overlay/proc" "$tree/"
  check_overlay "malformed/$name" "$tree" "$(sed -n 1p "$overlay/expect")" \
    "$(sed -n 2p "$overlay/expect")"
done

# Hostile files, made here (git keeps no FIFO, and no 5 MiB file is worth
# keeping): each fails its collector at once with a clear error; nothing
# blocks, nothing reads without bound.
hostile() {  # hostile NAME RELATIVE_PATH: a fresh linux-6.18 tree in $tree
  tree=$work/hostile-$1
  cp -r "$fixtures/linux-6.18" "$tree"
  rm -f "$tree/$2"
}
hostile fifo-count proc/sys/net/netfilter/nf_conntrack_count
mkfifo "$tree/proc/sys/net/netfilter/nf_conntrack_count"
check_overlay hostile/fifo-count "$tree" table "not a regular file (a FIFO)"
hostile device-count proc/sys/net/netfilter/nf_conntrack_count
ln -s /dev/zero "$tree/proc/sys/net/netfilter/nf_conntrack_count"
check_overlay hostile/device-count "$tree" table "not a regular file (a character device)"
hostile fifo-expect proc/net/nf_conntrack_expect
mkfifo "$tree/proc/net/nf_conntrack_expect"
check_overlay hostile/fifo-expect "$tree" expect "not a regular file (a FIFO)"
hostile huge-sysctl proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established
head -c 100000 /dev/zero | tr '\0' '7' >"$tree/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"
check_overlay hostile/huge-sysctl "$tree" timeouts "larger than 4096 bytes"
hostile huge-slabinfo proc/slabinfo
{ cat "$fixtures/linux-6.18/proc/slabinfo"; head -c $((5 << 20)) /dev/zero | tr '\0' 'x'; } \
  >"$tree/proc/slabinfo"
check_overlay hostile/huge-slabinfo "$tree" slab "larger than 4194304 bytes"

# HTTP behaviour of the real binary: landing page, 404, 405, custom path,
# clean exit on SIGTERM.
port=$(free_port)
"$exporter" --web.listen-address="127.0.0.1:$port" --web.telemetry-path=/m \
  --path.procfs="$fixtures/linux-6.18/proc" --path.sysfs="$fixtures/linux-6.18/sys" \
  2>"$work/http.log" &
pid=$!
wait_http "http://127.0.0.1:$port/m" 10
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
http_ok=1
landing=$(curl -fsS "http://127.0.0.1:$port/" || true)
grep -q 'href="/m"' <<<"$landing" || { echo "FAIL landing page does not link /m"; http_ok=0; }
for check in "404 http://127.0.0.1:$port/metrics" "404 http://127.0.0.1:$port/m/x" \
  "405 -X POST http://127.0.0.1:$port/m" "200 -I http://127.0.0.1:$port/m" \
  "200 http://127.0.0.1:$port/-/healthy" "200 http://127.0.0.1:$port/-/ready" \
  "405 -X DELETE http://127.0.0.1:$port/-/ready"; do
  read -r want args <<<"$check"
  # shellcheck disable=SC2086
  got=$(code $args)
  [[ "$got" == "$want" ]] || { echo "FAIL $args: HTTP $got, want $want"; http_ok=0; }
done
# gzip when asked (Prometheus asks), the same metrics once unpacked.
gz_headers=$(curl -s -D - -o "$work/gz.body" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/m")
grep -qi '^Content-Encoding: gzip' <<<"$gz_headers" || { echo "FAIL no gzip when asked"; http_ok=0; }
unpacked=$(gzip -dc "$work/gz.body" || true)
grep -q '^nf_conntrack_exporter_build_info' <<<"$unpacked" ||
  { echo "FAIL gzip body does not unpack to metrics"; http_ok=0; }
plain_headers=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/m" || true)
grep -qi '^Content-Encoding' <<<"$plain_headers" &&
  { echo "FAIL gzip without being asked"; http_ok=0; }
# What the exporter never serves is refused with a clean 400: a space in
# the request line (civetweb echoed it into the status line), a WebSocket
# upgrade (civetweb sent a body without a status line), a body with both
# Content-Length and Transfer-Encoding, two Content-Lengths.
if ! refusals=$(python3 - "$port" <<'PY'
import socket, sys
port = int(sys.argv[1])
cases = {
    "space in the URI": b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
    "websocket upgrade": b"GET /m HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         b"Sec-WebSocket-Version: 13\r\n\r\n",
    "Content-Length and Transfer-Encoding": b"GET /m HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "two Content-Lengths": b"GET /m HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                           b"Content-Length: 5\r\n\r\nabc",
}
bad = []
for name, request in cases.items():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(request)
    first = b""
    while b"\r\n" not in first:
        chunk = s.recv(4096)
        if not chunk:
            break
        first += chunk
    s.close()
    line = first.split(b"\r\n")[0]
    if line != b"HTTP/1.1 400 Bad Request":
        bad.append(f"{name}: {line!r}")
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
); then
  echo "FAIL requests never served are not refused with a clean 400: $refusals"; http_ok=0
fi
# A second exporter on the same port says why it cannot start.
if dup=$(timeout 10 "$exporter" --web.listen-address="127.0.0.1:$port" \
  --path.procfs="$fixtures/linux-6.18/proc" 2>&1 >/dev/null); then
  echo "FAIL a second exporter started on a port in use"; http_ok=0
fi
grep -qF "Address already in use" <<<"$dup" ||
  { echo "FAIL no clear message for a port in use: $dup"; http_ok=0; }
kill -TERM "$pid"
deadline=$((SECONDS + 10))
while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "FAIL exporter still running 10 s after SIGTERM"; http_ok=0
else
  wait "$pid" || { echo "FAIL exporter exited non-zero after SIGTERM"; http_ok=0; }
  grep -q 'msg="shutting down"' "$work/http.log" || { echo "FAIL no shutdown log line"; http_ok=0; }
fi
pid=
if ((http_ok)); then echo "ok   http"; else failures=$((failures + 1)); fi

((failures == 0)) || fail "$failures golden case(s) failed"
echo "golden: all cases passed"

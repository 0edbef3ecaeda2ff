#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A few slow or idle clients must not starve Prometheus. With 200 slowloris
# clients (a byte every 5 s), 200 that keep a partial request line open, and
# 200 idle connections, and with 8 silent connections on a TLS port, a scrape
# over a new connection and over a kept-alive one each answer within 1 s,
# and the kept-alive connection stays the same one between scrapes.
# (--web.max-requests' 503 is proven without timing in the unit tests:
# HttpServer.ScrapesBeyondMaxRequestsGet503AtOnce.) Every loop is bounded in count and time; all traffic is on loopback.
#
# usage: slow_clients_test.sh EXPORTER
set -euo pipefail
exporter=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
require_tools python3 openssl curl
init_workspace
fixtures=$here/../fixtures/linux-6.18

serve() {  # serve LOG FLAGS...: the exporter on a fixture tree, port in $port
  local log=$1
  shift
  port=$(free_port)
  "$exporter" --web.listen-address="127.0.0.1:$port" \
    --path.procfs="$fixtures/proc" --path.sysfs="$fixtures/sys" "$@" 2>"$log" &
  pids+=($!)
  local deadline=$((SECONDS + 10))
  until [[ -n "$(ss -Htln "sport = :$port")" ]]; do
    ((SECONDS < deadline)) || { cat "$log"; fail "the exporter did not listen"; }
    sleep 0.1
  done
}

cat >"$work/slow.py" <<'PY'
import http.client, socket, ssl, sys, threading, time
port, mode, n, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
tls = mode == "tls-silent"
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if mode == "slowloris":
        s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    elif mode == "partial":
        s.send(b"GET /metr")
    socks.append(s)  # idle and tls-silent: connected, nothing sent
stop = time.time() + seconds
def drip():  # slowloris: one more header byte every 5 s, until the end
    while time.time() < stop:
        time.sleep(min(5, max(0, stop - time.time())))
        for s in socks:
            try:
                s.send(b"X")
            except OSError:
                pass
if mode == "slowloris":
    threading.Thread(target=drip, daemon=True).start()

def connection():
    if not tls:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    ctx = ssl.create_default_context(cafile="ca.crt")
    return http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)

kept = connection()
kept_port, worst, scrapes = None, 0.0, 0
while time.time() < stop and scrapes < 100:
    for fresh in (True, False):
        t = time.perf_counter()
        c = connection() if fresh else kept
        c.request("GET", "/metrics")
        r = c.getresponse()
        body = r.read()
        took = time.perf_counter() - t
        assert r.status == 200 and b"nf_conntrack_entries" in body, (mode, fresh, r.status)
        assert took < 1.0, f"{mode}: a scrape over a {'new' if fresh else 'kept-alive'} connection took {took:.2f} s"
        worst = max(worst, took)
        if fresh:
            c.close()
        elif kept_port is None:
            kept_port = c.sock.getsockname()[1]
        else:
            assert c.sock.getsockname()[1] == kept_port, f"{mode}: the kept-alive connection was closed between scrapes"
        scrapes += 1
    time.sleep(1)  # longer than civetweb's default keep-alive idle of 0.5 s
print(f"ok   {n} {mode} clients: {scrapes} scrapes, new and kept-alive, the slowest {worst * 1e3:.1f} ms; one kept-alive connection throughout")
PY

serve "$work/plain.log"
for mode in slowloris partial idle; do
  python3 "$work/slow.py" "$port" "$mode" 200 8
done
stop_last() { kill "${pids[-1]}"; wait "${pids[-1]}" || true; unset 'pids[-1]'; }
stop_last

cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
  -subj /CN=test-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
  -out server.crt -days 2 -extfile san.ext 2>/dev/null
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n' >web.yml
serve "$work/tls.log" --web.config.file="$work/web.yml"
python3 "$work/slow.py" "$port" tls-silent 8 6
stop_last

echo "slow clients: all checks passed"

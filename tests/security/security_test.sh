#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The exporter's web security against real clients: TLS with a generated
# certificate (plain HTTP and TLS 1.1 refused on that port), client
# certificates, basic auth (401 and no metrics without the right password),
# configured headers, 404/405, bad configs refused at start, and a silent
# client cut off by the request timeout while scrapes go on.
#
# usage: security_test.sh EXPORTER
set -euo pipefail
exporter=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
require_tools openssl curl python3 ss
init_workspace
cd "$work"

step() { echo "--- $*"; }
expect_code() {  # expect_code WANT CURL_ARGS...
  local want=$1 got
  shift
  got=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 10 "$@" || true)
  [[ "$got" == "$want" ]] || fail "curl $*: HTTP $got, want $want"
  echo "ok   $want for curl $*"
}
start() {  # start LOG FLAGS...: runs the exporter, waits for its port
  local log=$1
  shift
  port=$(free_port)
  "$exporter" --web.listen-address="127.0.0.1:$port" "$@" 2>"$log" &
  pids+=($!)
  local deadline=$((SECONDS + 10))
  until [[ -n "$(ss -Htln "sport = :$port")" ]]; do
    ((SECONDS < deadline)) || { cat "$log"; fail "exporter did not listen"; }
    sleep 0.1
  done
}
stop() { kill "${pids[-1]}"; wait "${pids[-1]}" || true; unset 'pids[-1]'; }

# A CA, a server certificate for 127.0.0.1 and a client certificate.
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
  -subj /CN=test-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
  -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
  -out server.crt -days 2 -extfile san.ext 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
  -subj /CN=prometheus 2>/dev/null
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
  -out client.crt -days 2 2>/dev/null
hash=$(python3 -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' 2>/dev/null)
[[ "$hash" == '$2'* ]] || fail "could not make a bcrypt hash"

step "TLS and basic auth"
cat >web.yml <<YAML
tls_server_config:
  cert_file: server.crt
  key_file: server.key
basic_auth_users:
  alice: '$hash'
http_server_config:
  headers:
    X-Frame-Options: deny
    X-Content-Type-Options: nosniff
YAML
start "$work/tls.log" --web.config.file="$work/web.yml"
url=https://127.0.0.1:$port
expect_code 401 --cacert ca.crt "$url/metrics"
grep -q nf_conntrack "$work/body" && fail "a 401 body holds metrics"
expect_code 401 --cacert ca.crt -u alice:wrong "$url/metrics"
grep -q nf_conntrack "$work/body" && fail "a 401 body holds metrics"
expect_code 401 --cacert ca.crt -u mallory:s3cret "$url/metrics"
expect_code 200 --cacert ca.crt -u alice:s3cret "$url/metrics"
grep -q '^nf_conntrack_exporter_build_info' "$work/body" || fail "no metrics with the right password"
headers=$(curl -s -D - -o /dev/null --cacert ca.crt -u alice:s3cret "$url/metrics")
grep -qi '^X-Frame-Options: deny' <<<"$headers" || fail "configured header missing"
grep -qi '^X-Content-Type-Options: nosniff' <<<"$headers" || fail "configured header missing"
echo "ok   configured headers sent"
expect_code 404 --cacert ca.crt -u alice:s3cret "$url/nope"
expect_code 405 --cacert ca.crt -u alice:s3cret -X POST "$url/metrics"
expect_code 200 --cacert ca.crt -u alice:s3cret --tlsv1.2 --tls-max 1.2 "$url/-/healthy"
expect_code 200 --cacert ca.crt -u alice:s3cret --tlsv1.3 "$url/-/ready"
expect_code 000 --cacert ca.crt -u alice:s3cret --tlsv1.1 --tls-max 1.1 "$url/-/healthy"
expect_code 000 "http://127.0.0.1:$port/metrics"
stop

step "client certificates"
cat >mtls.yml <<YAML
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
YAML
start "$work/mtls.log" --web.config.file="$work/mtls.yml"
url=https://127.0.0.1:$port
expect_code 000 --cacert ca.crt "$url/metrics"
expect_code 200 --cacert ca.crt --cert client.crt --key client.key "$url/metrics"
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.crt -days 2 \
  -subj /CN=stranger 2>/dev/null
expect_code 000 --cacert ca.crt --cert other.crt --key other.key "$url/metrics"
stop

step "basic auth: no user enumeration by timing, cached successes, one bcrypt at a time"
# Cost 10, as a user would make it (about 60 ms a check).
hash10=$(python3 -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)))' 2>/dev/null)
printf "basic_auth_users:\n  alice: '%s'\n" "$hash10" >auth10.yml
start "$work/auth10.log" --web.config.file="$work/auth10.yml" --web.max-connections=8
python3 - "$port" "${pids[-1]}" <<'PY'
import base64, glob, http.client, statistics, sys, threading, time
port, pid = int(sys.argv[1]), int(sys.argv[2])

def cpu():  # the server's CPU time, every thread, in seconds
    return sum(int(open(f).read().split()[0])
               for f in glob.glob(f"/proc/{pid}/task/*/schedstat")) / 1e9

def get(user, password):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    t = time.perf_counter()
    c.request("GET", "/metrics", headers={"Authorization": "Basic " + token})
    status = c.getresponse().status
    c.close()
    return status, time.perf_counter() - t

def median_time(user, password, want, n=9):
    times = []
    for _ in range(n):
        status, took = get(user, password)
        assert status == want, (user, status)
        times.append(took)
    return statistics.median(times)

known = median_time("alice", "wrong", 401)
unknown = median_time("mallory", "wrong", 401)
assert unknown >= 0.5 * known, f"unknown user {unknown*1e3:.1f} ms vs known {known*1e3:.1f} ms: names can be told by timing"
print(f"ok   wrong password {known*1e3:.1f} ms, unknown user {unknown*1e3:.1f} ms (median of 9): no enumeration by timing")

c0 = cpu()
for _ in range(10):
    assert get("alice", "wrong")[0] == 401
wrong_cpu = cpu() - c0
assert get("alice", "s3cret")[0] == 200  # pays one bcrypt, then cached
c0 = cpu()
for _ in range(10):
    assert get("alice", "s3cret")[0] == 200
right_cpu = cpu() - c0
assert right_cpu < wrong_cpu / 3, f"10 right: {right_cpu*1e3:.0f} ms CPU, 10 wrong: {wrong_cpu*1e3:.0f} ms: successes are not cached"
print(f"ok   10 scrapes with the right password cost {right_cpu*1e3:.1f} ms of CPU, 10 wrong ones {wrong_cpu*1e3:.0f} ms: successes cached")

# Four clients hammering wrong passwords for a bounded time: bcrypt runs
# one at a time, so the server takes about one core, not all of them.
stop = time.time() + 3
def hammer():
    while time.time() < stop:
        get("alice", "wrong")
threads = [threading.Thread(target=hammer) for _ in range(4)]
c0, t0 = cpu(), time.time()
for t in threads: t.start()
for t in threads: t.join()
cores = (cpu() - c0) / (time.time() - t0)
assert cores < 1.4, f"wrong passwords from 4 clients took {cores:.2f} cores"
status, took = get("alice", "s3cret")
assert status == 200
print(f"ok   4 clients sending wrong passwords for 3 s took {cores:.2f} cores; a cached scrape still answers")
PY
stop

step "bad configs are refused at start"
refuse() {  # refuse NAME YAML MESSAGE
  printf '%s\n' "$2" >"$1.yml"
  if "$exporter" --web.listen-address=127.0.0.1:0 --web.config.file="$work/$1.yml" \
    2>"$work/$1.log"; then
    fail "$1: the exporter started with a bad config"
  fi
  grep -qF -- "$3" "$work/$1.log" || { cat "$work/$1.log"; fail "$1: no message saying: $3"; }
  echo "ok   $1 refused: $3"
}
refuse missing-cert "tls_server_config: {cert_file: /no/such.crt, key_file: server.key}" "/no/such.crt"
refuse wrong-key "tls_server_config: {cert_file: server.crt, key_file: client.key}" "key values mismatch"
refuse plain-password "basic_auth_users: {bob: hunter2}" "not a bcrypt hash"
refuse prefix-only-hash 'basic_auth_users: {bob: $2y$}' "not a bcrypt hash"
refuse duplicate-user "$(printf 'basic_auth_users:\n  bob: %s\n  bob: %s\n' "$hash" "$hash")" "appears twice"
refuse old-tls "tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS10}" "min_version"
refuse typo "basic_auth_user: {}" 'unknown key \"basic_auth_user\"'
refuse not-yaml "tls_server_config: [" "web config"
mkfifo fifo.crt  # nobody writes it: a blocking open would hang the start
refuse fifo-cert "tls_server_config: {cert_file: fifo.crt, key_file: server.key}" "not a regular file (a FIFO)"
refuse huge-config "$(printf '# %01048576d' 0)" "larger than 1048576 bytes"
for device in /dev/zero /dev/null; do
  if timeout 10 "$exporter" --web.listen-address=127.0.0.1:0 --web.config.file="$device" \
    2>"$work/device.log"; then
    fail "$device as the web config: the exporter started"
  fi
  grep -qF "not a regular file (a character device)" "$work/device.log" ||
    { cat "$work/device.log"; fail "$device as the web config: no clear message"; }
  echo "ok   $device as the web config refused: not a regular file"
done

step "a silent client is cut off; scrapes go on"
start "$work/slow.log" --web.request-timeout=1s --web.max-connections=2
python3 - "$port" <<'PY'
import socket, sys, time, urllib.request
port = int(sys.argv[1])
silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
# Silent clients wait in the kernel (TCP_DEFER_ACCEPT), not in the two
# workers: the scrape is served at once.
t = time.time()
body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
assert b"nf_conntrack_exporter_build_info" in body, "scrape failed"
assert time.time() - t < 1, f"scrape waited {time.time() - t:.2f} s"
print(f"ok   scrape served in {time.time() - t:.3f} s beside two silent clients")
for s in silent:
    s.settimeout(10)
    t = time.time()
    try:
        got = s.recv(1)
    except ConnectionResetError:
        got = b""  # reset at the door: nothing to say to a silent client
    assert got == b"", "silent client not closed"
    assert time.time() - t < 10
print("ok   silent clients were disconnected once the request timeout passed")
PY
stop

step "SIGTERM lets a scrape in progress finish"
# A costly bcrypt hash keeps the request busy for a moment on the server.
slow_hash=$(python3 -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 14)))' 2>/dev/null)
printf "basic_auth_users:\n  alice: '%s'\n" "$slow_hash" >slow-auth.yml
start "$work/term.log" --web.config.file="$work/slow-auth.yml"
term_pid=${pids[-1]}
t0=$(date +%s%N)
curl -s -o "$work/inflight" -w '%{http_code}' -u alice:s3cret "http://127.0.0.1:$port/metrics" >"$work/inflight.code" &
curl_pid=$!
# Wait until the request is being served: the server burns CPU on the bcrypt
# check (about 1 s at cost 14); 50 ms of it means the request has arrived.
cpu_ns() { awk '{ s += $1 } END { print s + 0 }' /proc/"$term_pid"/task/*/schedstat; }
cpu0=$(cpu_ns)
deadline=$((SECONDS + 10))
until (($(cpu_ns) - cpu0 > 50000000)); do
  ((SECONDS < deadline)) || fail "the authenticated request never reached the server"
  sleep 0.01
done
kill -TERM "$term_pid"
wait "$curl_pid" || true
[[ "$(cat "$work/inflight.code")" == 200 ]] || fail "the scrape in progress got HTTP $(cat "$work/inflight.code")"
grep -q '^nf_conntrack_exporter_build_info' "$work/inflight" || fail "the scrape in progress lost its metrics"
wait "$term_pid" || fail "the exporter exited non-zero after SIGTERM"
unset 'pids[-1]'
echo "ok   scrape in progress answered 200 after SIGTERM ($((($(date +%s%N) - t0) / 1000000)) ms), then a clean exit"

echo "security: all checks passed"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The web config reloaded under a running exporter, as exporter-toolkit does:
#
# 1. A certificate rotated (a new CA, a new certificate and key, moved into
#    place): a client that trusts only the new CA connects; one that trusts
#    only the old CA no longer can; a kept-alive connection opened before
#    goes on working.
# 2. A broken web config keeps the previous one, and the log says why.
# 3. basic_auth_users added to the file apply to the next request.
# 4. Turning TLS off is refused until a restart.
#
# usage: reload_test.sh EXPORTER
set -euo pipefail
exporter=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../e2e/netns_lib.sh"
require_tools openssl python3 curl
init_workspace
fixtures=$here/../fixtures/linux-6.18
cd "$work"

# ca NAME: a CA, and a certificate for 127.0.0.1 signed by it (NAME.pem,
# NAME-key.pem).
ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -subj "/CN=$1 CA" -keyout "$1-ca-key.pem" -out "$1-ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=$1 server" -keyout "$1-key.pem" -out "$1.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$1-ca.pem" -CAkey "$1-ca-key.pem" \
    -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
ca old
ca new
cp old.pem cert.pem
cp old-key.pem key.pem
web() { printf 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n%s' "${1:-}" >web.yml.tmp; mv web.yml.tmp web.yml; }
web

port=$(free_port)
"$exporter" --web.listen-address="127.0.0.1:$port" --web.config.file="$work/web.yml" \
  --path.procfs="$fixtures/proc" --path.sysfs="$fixtures/sys" 2>"$work/exporter.log" &
pids+=($!)
# get CA [USER:PASSWORD]: the HTTP status of a new connection trusting only
# CA, or "tls" when the handshake fails.
get() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$1" ${2:+-u "$2"} \
    "https://127.0.0.1:$port/metrics") || true
  [[ "$code" == 000 ]] && code=tls
  echo "$code"
}
wait_value "a client trusting the first CA" "get old-ca.pem" 200 10

step "1. rotate the certificate under the running exporter"
# A kept-alive connection trusting the first CA: one request per line it
# reads, opened now and used again after the rotation.
cat >kept.py <<'PY'
import http.client, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
for line in sys.stdin:  # one request per line read
    conn.request("GET", "/metrics")
    r = conn.getresponse()
    r.read()
    print(r.status, id(conn.sock), flush=True)
PY
mkfifo kept.in
python3 kept.py "$port" old-ca.pem <kept.in >kept.out 2>&1 &
pids+=($!)
exec 3>kept.in
echo go >&3
wait_value "the kept-alive connection's first request" "awk 'END { print \$1 }' kept.out" 200 10
first_socket=$(awk 'NR == 1 { print $2 }' kept.out)

cp new.pem cert.pem.tmp && mv cert.pem.tmp cert.pem
cp new-key.pem key.pem.tmp && mv key.pem.tmp key.pem
wait_value "a client trusting only the new CA" "get new-ca.pem" 200 10
expect_eq "a client trusting only the old CA" "$(get old-ca.pem)" tls
echo go >&3
wait_value "requests on the kept-alive connection" "wc -l <kept.out" 2 10
read -r status socket < <(sed -n 2p kept.out)
expect_eq "the kept-alive connection's request after the rotation" "$status" 200
expect_eq "the same connection" "$socket" "$first_socket"
grep -q 'msg="web config reloaded"' exporter.log || fail "no reload in the log: $(cat exporter.log)"

step "2. a broken web config keeps the previous one"
printf 'tls_server_config:\n  cert_file: [oops\n' >web.yml.tmp
mv web.yml.tmp web.yml
expect_eq "a client trusting the new CA, after a broken file" "$(get new-ca.pem)" 200
wait_for_line exporter.log 'web config not reloaded, keeping the previous one' 5 ||
  fail "the log does not say the broken file was refused: $(cat exporter.log)"
echo "ok   $(grep -o 'msg="web config not reloaded[^"]*".*' exporter.log | tail -1 | cut -c1-150)"

step "3. basic auth added to the file applies to the next request"
hash=$(python3 -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 4)))' 2>/dev/null)
web "$(printf "basic_auth_users:\n  alice: '%s'\n" "$hash")"
wait_value "a request without credentials" "get new-ca.pem" 401 10
expect_eq "a request as alice" "$(get new-ca.pem alice:s3cret)" 200

step "4. TLS cannot be turned off without a restart"
printf 'http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n' >web.yml.tmp
mv web.yml.tmp web.yml
expect_eq "a TLS request as alice, after a file without TLS" "$(get new-ca.pem alice:s3cret)" 200
wait_for_line exporter.log 'turning TLS on or off needs a restart' 5 ||
  fail "the log does not say TLS needs a restart: $(cat exporter.log)"
echo "ok   refused: turning TLS on or off needs a restart"
exec 3>&-
echo "web config reload: all checks passed"

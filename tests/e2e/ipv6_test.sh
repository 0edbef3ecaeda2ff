#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Listening over IPv6, in a network namespace of the test's own (always
# deleted) with ::1 and 2001:db8::1 (TEST-NET's IPv6 block, on its loopback):
#
# 1. The default ":port" is one dual-stack socket: scrapes over 127.0.0.1,
#    [::1] and [2001:db8::1] all answer, the status page too, and
#    nf_conntrack_exporter_http_requests_total counts them.
# 2. A repeated --web.listen-address listens on each address given, and on
#    no other.
# 3. TLS over IPv6, with a certificate for the IPv6 addresses.
# 4. An address that is not the host's is refused with a message naming it.
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
require_tools ip nft curl openssl python3 ss
[[ -e /proc/net/if_inet6 ]] || skip_or_fail "the kernel has no IPv6 (ipv6.disable=1)"
init_workspace "nfce-ipv6-$$"
create_test_netns "$ns" 19372 19373 19374 19375
in_ns ip -6 addr add 2001:db8::1/128 dev lo
v6() { in_ns curl -fsS --max-time 5 -g "$@"; }

# serve LOG ARGS...: the exporter in $ns, until the test ends.
serve() {
  local log=$1
  shift
  ip netns exec "$ns" "$exporter" "$@" 2>"$work/$log" &
  pids+=($!)
}
wait_url() {
  in_ns bash -c "$(declare -f wait_http); wait_http '$1' 10" ||
    fail "$1 does not answer"
}

step "1. the default :port: one socket for IPv4 and IPv6"
serve default.log --web.listen-address=:19372
wait_url "http://127.0.0.1:19372/metrics"
for url in "http://127.0.0.1:19372" "http://[::1]:19372" "http://[2001:db8::1]:19372"; do
  body=$(v6 "$url/metrics")
  grep -q '^nf_conntrack_entries ' <<<"$body" || fail "no metrics from $url"
  echo "ok   $url/metrics answers"
done
sockets=$(in_ns ss -Hltn 'sport = :19372')
[[ $(wc -l <<<"$sockets") == 1 && "$sockets" == *"*:19372"* ]] ||
  fail "want one dual-stack socket on *:19372, ss shows: $sockets"
echo "ok   one dual-stack socket: $(tr -s ' ' <<<"$sockets" | cut -d' ' -f4)"
page=$(v6 "http://[2001:db8::1]:19372/")
grep -qF "nf_conntrack on this host" <<<"$page" || fail "no status page over IPv6"
echo "ok   the status page over IPv6"
counted=$(v6 "http://[::1]:19372/metrics" |
  awk '$1 == "nf_conntrack_exporter_http_requests_total{handler=\"/\",code=\"200\"}" { print $2 }')
expect_eq 'requests_total{handler="/",code="200"}' "$counted" 1
grep -q 'msg="listening" address=":19372"' "$work/default.log" ||
  fail "the log does not say where it listens: $(cat "$work/default.log")"

step "2. a repeated --web.listen-address: each address, and no other"
serve repeated.log --web.listen-address='[2001:db8::1]:19373' \
  --web.listen-address=127.0.0.1:19374
wait_url "http://127.0.0.1:19374/metrics"
for url in "http://[2001:db8::1]:19373" "http://127.0.0.1:19374"; do
  v6 -o /dev/null "$url/metrics" || fail "$url does not answer"
  echo "ok   $url answers"
done
for url in "http://[::1]:19373" "http://127.0.0.1:19373" "http://[::1]:19374"; do
  if v6 -o /dev/null "$url/metrics" 2>/dev/null; then fail "$url answers: not asked for"; fi
  echo "ok   $url refused (not asked for)"
done
grep -q 'address="\[2001:db8::1\]:19373,127.0.0.1:19374"' "$work/repeated.log" ||
  fail "the log does not list both addresses: $(cat "$work/repeated.log")"

step "3. TLS over IPv6"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=nfce-ipv6 -addext "subjectAltName=IP:::1,IP:2001:db8::1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' \
  "$work/cert.pem" "$work/key.pem" >"$work/web.yml"
serve tls.log --web.listen-address='[::]:19375' --web.config.file="$work/web.yml"
deadline=$((SECONDS + 10))
until v6 --cacert "$work/cert.pem" -o /dev/null "https://[::1]:19375/metrics" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "no TLS answer on [::1]:19375: $(cat "$work/tls.log")"
  sleep 0.2
done
for url in "https://[::1]:19375" "https://[2001:db8::1]:19375"; do
  body=$(v6 --cacert "$work/cert.pem" "$url/metrics")
  grep -q '^nf_conntrack_entries ' <<<"$body" || fail "no metrics over TLS from $url"
  echo "ok   $url/metrics answers over TLS, the certificate checked"
done
if v6 -o /dev/null "http://[::1]:19375/metrics" 2>/dev/null; then
  fail "plain HTTP answered on the TLS port"
fi
echo "ok   plain HTTP refused on the TLS port"

step "4. an address the host does not have"
if out=$(ip netns exec "$ns" "$exporter" --web.listen-address='[2001:db8::2]:19376' 2>&1); then
  fail "the exporter started on an address the host lacks"
fi
grep -q 'cannot listen on \[2001:db8::2\]:19376: Cannot assign requested address' <<<"$out" ||
  fail "the refusal does not say why: $out"
echo "ok   refused: cannot listen on [2001:db8::2]:19376: Cannot assign requested address"
echo "ipv6 e2e: all checks passed"

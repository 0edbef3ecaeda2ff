# SPDX-License-Identifier: Apache-2.0
# Helpers for tests on the real kernel in a network namespace of their own.
# Sources ../lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# e2e_start EXPORTER: how each test on the real kernel starts: the
# exporter's absolute path in $exporter, this folder in $here, the checkout
# in $root; skips (fails under CI=true) without root or conntrack.
e2e_start() {
  exporter=$(realpath "$1")
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  root=$(cd "$here/../.." && pwd)
  require_conntrack_root
}

# require_conntrack_root: skip (or fail under CI=true) without root or conntrack.
require_conntrack_root() {
  ((EUID == 0)) || skip_or_fail "needs root to create a network namespace"
  [[ -e /proc/sys/net/netfilter/nf_conntrack_count ]] ||
    skip_or_fail "needs a kernel with nf_conntrack loaded"
}

# create_test_netns NS PORT...: a namespace with loopback up that tracks
# every new flow (one nftables rule with `ct state`), except TCP on the given
# ports: once the table is full, new connections to them would be dropped too.
create_test_netns() {
  local ns=$1
  shift
  local ports
  ports=$(IFS=,; echo "$*")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" nft -f - <<NFT
table inet nfce_test {
  chain raw_prerouting {
    type filter hook prerouting priority raw;
    tcp dport { $ports } notrack
    tcp sport { $ports } notrack
  }
  chain raw_output {
    type filter hook output priority raw;
    tcp dport { $ports } notrack
    tcp sport { $ports } notrack
  }
  chain track {
    type filter hook output priority 0;
    ct state new counter
  }
}
NFT
}

# router_lab CLIENT SERVER: two more namespaces (deleted with the
# workspace) wired to $ns as its router, on TEST-NET addresses that exist
# only inside the lab: CLIENT 192.0.2.2 - 192.0.2.1 (r0) ROUTER (r1)
# 198.51.100.1 - 198.51.100.2 SERVER, forwarding on in the router.
router_lab() {
  local client=$1 server=$2 n
  more_ns+=("$client" "$server")
  ip netns add "$client"
  ip netns add "$server"
  ip link add lab-c0 netns "$client" type veth peer name r0 netns "$ns"
  ip link add lab-s0 netns "$server" type veth peer name r1 netns "$ns"
  ip -n "$client" addr add 192.0.2.2/24 dev lab-c0
  ip -n "$ns" addr add 192.0.2.1/24 dev r0
  ip -n "$ns" addr add 198.51.100.1/24 dev r1
  ip -n "$server" addr add 198.51.100.2/24 dev lab-s0
  for n in "$client" "$server"; do ip -n "$n" link set lo up; done
  ip -n "$client" link set lab-c0 up
  ip -n "$server" link set lab-s0 up
  ip -n "$ns" link set r0 up
  ip -n "$ns" link set r1 up
  ip -n "$client" route add default via 192.0.2.1
  ip -n "$server" route add default via 198.51.100.1
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
}

# conntrack_entries COUNT OFFSET: conntrack -R input for COUNT assured TCP
# entries, with tuples unique across offsets. Only table rows: no packet is
# sent to these addresses.
conntrack_entries() {
  awk -v n="$1" -v off="$2" 'BEGIN {
    for (i = off; i < off + n; i++)
      printf "-I -s 10.200.%d.%d -d 10.201.0.1 -p tcp --sport %d --dport 80 --state ESTABLISHED -u ASSURED -t 7200\n",
        int(i / 65536) % 256, int(i / 256) % 256, 1024 + i % 256
  }'
}

# conntrack_udp_entries COUNT OFFSET: conntrack -R input for COUNT UDP
# entries that are not assured (never replied), an hour's timeout each.
conntrack_udp_entries() {
  awk -v n="$1" -v off="$2" 'BEGIN {
    for (i = off; i < off + n; i++)
      printf "-I -s 10.202.%d.%d -d 10.203.0.1 -p udp --sport %d --dport 53 -t 3600\n",
        int(i / 65536) % 256, int(i / 256) % 256, 1024 + i % 256
  }'
}

# udp_from_ports NS SOURCE DESTINATION PORT FIRST COUNT: one datagram from
# each port of SOURCE in [FIRST, FIRST + COUNT) to DESTINATION:PORT, sent in
# NS: each is a flow of its own.
udp_from_ports() {
  ip netns exec "$1" python3 - "${@:2}" <<'PY'
import socket, sys
src, dst = sys.argv[1], sys.argv[2]
port, first, count = (int(a) for a in sys.argv[3:6])
for p in range(first, first + count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, p))
    try:
        s.sendto(b"q", (dst, port))
    except OSError:
        pass  # a dropped first packet may come back as an error
    s.close()
PY
}

# send_new_udp NS COUNT: COUNT UDP packets to loopback in NS, each to its own
# port so that each needs a new conntrack entry.
send_new_udp() {
  local i
  for i in $(seq 1 "$2"); do
    ip netns exec "$1" bash -c "echo -n x > /dev/udp/127.0.0.1/$((40000 + i))" 2>/dev/null || true
  done
}

in_ns() { ip netns exec "$ns" "$@"; }
step() { echo "--- $*"; }

# Reading an exporter that listens on 127.0.0.1:$port inside $ns.
scrape() { in_ns curl -fsS --max-time 10 "http://127.0.0.1:$port/metrics"; }
# value NAME{LABELS} [METRICS]: one sample (0 when absent).
value() {
  awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }' <<<"${2:-$(scrape)}"
}
# sum_of PREFIX: the sum of all samples whose name and labels start with PREFIX.
sum_of() {
  scrape | awk -v p="$1" 'index($1, p) == 1 { s += $2 } END { printf "%d\n", s }'
}
# page_says PORT TEXT WHAT: the status page on 127.0.0.1:PORT in $ns holds
# TEXT (WHAT, in the message); kept in $work when it does not.
page_says() {
  local page
  page=$(in_ns curl -fsS --max-time 10 "http://127.0.0.1:$1/")
  grep -qF -- "$2" <<<"$page" ||
    { printf '%s\n' "$page" >"$work/page-$1.html"; fail "the status page lacks $3"; }
  echo "ok   status page: $3"
}
expect_eq() {
  [[ "$2" == "$3" ]] || fail "$1: got $2, want $3"
  echo "ok   $1 = $2"
}
# wait_value WHAT CMD WANT SECONDS: polls CMD until it prints WANT.
wait_value() {
  local deadline=$((SECONDS + $4)) got
  while ((SECONDS < deadline)); do
    got=$(eval "$2")
    [[ "$got" == "$3" ]] && { echo "ok   $1 = $got"; return 0; }
    sleep 0.5
  done
  fail "$1: got $got, want $3 (after $4 s)"
}

# alerts_named ALERT: "alertname state" of ALERT in the Prometheus of
# prometheus_in_ns ($pport in $ns), one line per alert; nothing if none.
alerts_named() {
  in_ns curl -fsS --max-time 5 "http://127.0.0.1:$pport/api/v1/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    if a["labels"]["alertname"] == sys.argv[1]:
        print(a["labels"]["alertname"], a["state"])
' "$1"
}

# prometheus_in_ns PPORT EPORT [rules [APORT]]: a real Prometheus in $ns on
# 127.0.0.1:PPORT scraping the exporter on 127.0.0.1:EPORT every second (job
# "conntrack"), ready when it returns. With "rules", a test copy of our
# recording rules and alerts, `for:` minutes as seconds and the 5m/1h windows
# as 15s/2m, evaluated every second; with APORT, alerts go to that
# Alertmanager. Its pid joins $pids.
prometheus_in_ns() {
  local pport=$1 eport=$2 rules=${3:-} aport=${4:-} root f
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  {
    echo "global: {scrape_interval: 1s, evaluation_interval: 1s}"
    if [[ "$rules" == rules ]]; then
      for f in rules alerts; do
        sed -E -e 's/for: ([0-9]+)m/for: \1s/' -e 's/\[5m\]/[15s]/g' -e 's/\[1h\]/[2m]/g' \
          -e 's/\* 300 >/* 15 >/' "$root/deploy/prometheus/$f.yml" >"$work/$f.yml"
      done
      echo "rule_files: [rules.yml, alerts.yml]"
    fi
    [[ -n "$aport" ]] &&
      echo "alerting: {alertmanagers: [{static_configs: [{targets: ['127.0.0.1:$aport']}]}]}"
    echo "scrape_configs: [{job_name: conntrack, static_configs: [{targets: ['127.0.0.1:$eport']}]}]"
  } >"$work/prometheus.yml"
  promtool check config "$work/prometheus.yml" >/dev/null
  ip netns exec "$ns" prometheus --config.file="$work/prometheus.yml" \
    --storage.tsdb.path="$work/tsdb" --web.listen-address="127.0.0.1:$pport" \
    --rules.alert.resend-delay=1s --log.level=warn 2>"$work/prometheus.log" &
  pids+=($!)
  in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$pport/-/ready 30"
}

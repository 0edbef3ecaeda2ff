# SPDX-License-Identifier: Apache-2.0
# Helpers for tests on the real kernel in a network namespace of their own.
# Source after ../lib.sh.

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

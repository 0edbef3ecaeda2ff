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

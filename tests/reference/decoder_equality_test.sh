#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Our ctnetlink decoder against libnetfilter_conntrack, on the real kernel, in
# a network namespace of its own (always deleted): a table of varied entries
# is dumped and every message decoded both ways (decoder_equality), which
# must agree on family, protocol, TCP state, zone, status, addresses, ports,
# the reply destination and its port, and timeout. The table holds TCP in
# eight states, UDP with and without replies, ICMP and ICMPv6, IPv6, zones,
# a mark, source-NATed entries (a reply destination other than the source),
# and entries made by real packets as well as inserted ones; the test
# requires each of them in the tool's own account of what it decoded.
#
# usage: decoder_equality_test.sh BUILD_DIR
set -euo pipefail
tool=$(realpath "$1")/tests/reference/decoder_equality
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/../e2e/netns_lib.sh"

require_conntrack_root
require_tools ip nft conntrack ping
init_workspace "nfce-decoder-$$"
create_test_netns "$ns" 9   # no port is exempt that the test uses

# Inserted entries: conntrack -R input, one entry per line.
{
  i=0
  for state in SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT CLOSE_WAIT LAST_ACK \
    TIME_WAIT CLOSE; do
    for v in 4 6; do
      if [[ $v == 4 ]]; then src=10.9.0.$((i + 1)) dst=10.9.1.1
      else src=2001:db8:9::$((i + 1)) dst=2001:db8:a::1; fi
      echo "-I -s $src -d $dst -p tcp --sport $((2000 + i)) --dport 443 --state $state -u SEEN_REPLY -t 300"
      i=$((i + 1))
    done
  done
  echo "-I -s 10.9.2.1 -d 10.9.3.53 -p udp --sport 5353 --dport 53 -t 30"
  echo "-I -s 10.9.2.2 -d 10.9.3.53 -p udp --sport 5354 --dport 53 -u SEEN_REPLY -t 30"
  echo "-I -s 10.9.2.3 -d 10.9.3.9 -p udp --sport 4000 --dport 4001 -u SEEN_REPLY,ASSURED -t 180"
  echo "-I -s 2001:db8:9::99 -d 2001:db8:a::53 -p udp --sport 6000 --dport 53 -t 30"
  echo "-I -s 10.9.4.1 -d 10.9.5.1 -p tcp --sport 3000 --dport 80 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 3600 --zone 7"
  echo "-I -s 10.9.4.1 -d 10.9.5.1 -p tcp --sport 3000 --dport 80 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 3600 --zone 65535"
  echo "-I -s 10.9.4.2 -d 10.9.5.2 -p tcp --sport 3001 --dport 22 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 3600 --mark 42"
  # Source NAT: replies go to 10.9.9.1 (2001:db8:b::1), not to the source.
  for n in 1 2; do
    echo "-I -s 10.9.7.$n -d 10.9.8.53 -p udp --sport 4000$n --dport 53 --src-nat 10.9.9.1 -u SEEN_REPLY -t 30"
  done
  echo "-I -s 2001:db8:9::a -d 2001:db8:a::80 -p tcp --sport 41000 --dport 80 --src-nat 2001:db8:b::1 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 300"
  echo "-I -s 10.9.6.1 -d 10.9.6.2 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 77 -t 30"
  echo "-I -s 2001:db8:9::7 -d 2001:db8:a::7 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 78 -t 30"
} >"$work/table.txt"
inserted=$(wc -l <"$work/table.txt")
ip netns exec "$ns" conntrack -R - <"$work/table.txt" 2>"$work/conntrack.log" ||
  fail "conntrack -R refused the table: $(cat "$work/conntrack.log")"

# Entries made by real packets on loopback: a ping (ICMP, replied) and UDP
# datagrams nobody answers.
ip netns exec "$ns" ping -c 1 -W 2 127.0.0.1 >/dev/null || fail "ping on loopback failed"
send_new_udp "$ns" 3

ip netns exec "$ns" "$tool" >"$work/out.txt" 2>&1 || {
  cat "$work/out.txt"
  fail "the decoders disagree (or the dump failed)"
}
cat "$work/out.txt"
seen() { awk -v k="$1" '$1 == k { n = $2 } END { print n + 0 }' "$work/out.txt"; }
require() {  # require KEY MIN
  local n
  n=$(seen "$1")
  ((n >= $2)) || fail "the table should have held $1 at least $2 times, decoded $n"
  echo "ok   $1: $n"
}
messages=$(seen messages)
((messages >= inserted + 4)) ||
  fail "decoded $messages messages, the table has at least $((inserted + 4))"
expect_eq "differences" "$(seen differences)" 0
for state in syn_sent syn_recv established fin_wait close_wait last_ack \
  time_wait close; do
  require "state=$state" 2
done
require family=ipv4 10
require family=ipv6 10
require protocol=udp 7
require protocol=icmp 2
require protocol=icmpv6 1
require zone=7 1
require zone=65535 1
require mark=42 1
require replied=yes 20
require replied=no 5
require ports=yes 20
require timeout=yes "$messages"
require reply=yes "$messages"
require snat=yes 3
require reply_destination=translated 3
echo "decoder equality: $messages messages decoded alike by both decoders"

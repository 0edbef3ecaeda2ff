#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Server CPU per status page view (on demand, not in the suite): each
# exporter binary given serves VIEWS views of / over one connection, in a
# network namespace of its own (always deleted), and the server's CPU time
# (schedstat, every thread) is divided by the views.
#
# usage: sudo tests/bench/status_page_cost.sh EXPORTER [EXPORTER...]
#   VIEWS=200 by default
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
((EUID == 0)) || fail "needs root (a network namespace)"
init_workspace "nfce-views-$$"
ip netns add "$ns"
ip -n "$ns" link set lo up
views=${VIEWS:-200}
echo "kernel log: $(dmesg | wc -c) bytes"
port=19380
for exporter in "$@"; do
  port=$((port + 1))
  ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$port" 2>/dev/null &
  pid=$!
  pids+=("$pid")
  ip netns exec "$ns" bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$port/metrics 10"
  cpu() { cat /proc/"$pid"/task/*/schedstat | awk '{ s += $1 } END { printf "%d\n", s }'; }
  view() {  # view N: N views of / over one connection
    ip netns exec "$ns" python3 - "$port" "$1" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
for _ in range(int(sys.argv[2])):
    c.request("GET", "/")
    if c.getresponse().read().find(b"nf_conntrack on this host") < 0:
        sys.exit("not the status page")
PY
  }
  view 10  # warm: the first view reads the whole kernel log
  c0=$(cpu)
  view "$views"
  c1=$(cpu)
  echo "$exporter: $(((c1 - c0) / views / 1000)) us of server CPU per view"
done

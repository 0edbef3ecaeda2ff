#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Naming the workloads on the real kernel: a "node" network namespace and
# three workloads, each a process in a network and UTS namespace of its own
# with its hostname set, moved into a cgroup named as its runtime names one
# (cgroup v1 and the unified hierarchy alike):
#   - a pod under the kubelet's systemd driver (containerd),
#   - a pod under the kubelet's cgroupfs driver,
#   - a Docker container (systemd scope).
# Each sends UDP to the node from its own address. The exporter in the node
# namespace (flows and netns collectors) must name all three exactly in
# nf_conntrack_netns_info and nf_conntrack_address_info; the join of
# docs/metrics.md must return the pod's name from a real Prometheus; the
# doctor must name the pod beside its address. Namespaces, processes and
# cgroups are removed afterwards, also on failure.
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
require_tools ip nft conntrack curl prometheus promtool unshare python3
[[ -d /sys/fs/cgroup ]] || skip_or_fail "no cgroup file system"
init_workspace "nfce-node-$$"
cgroups=()   # created directories, deepest last
cleanup_naming() {
  local p d i
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ((i = ${#cgroups[@]} - 1; i >= 0; i--)); do rmdir "${cgroups[i]}" 2>/dev/null || true; done
  cleanup_workspace
}
trap cleanup_naming EXIT

eport=19372 pport=9090
create_test_netns "$ns" "$eport" "$pport"

# The hierarchies a process's cgroup can be written in: a v1 controller and
# the unified one, where each is mounted.
hierarchies=()
for h in /sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup; do
  if [[ -e "$h/cgroup.procs" && ( "$h" != /sys/fs/cgroup || -e "$h/cgroup.controllers" ) ]]; then
    hierarchies+=("$h")
  fi
done
((${#hierarchies[@]} > 0)) || skip_or_fail "no writable cgroup hierarchy"

# place PID PATH: PID into cgroup PATH (made under each hierarchy).
place() {
  local pid=$1 path=$2 h dir part
  for h in "${hierarchies[@]}"; do
    dir=$h
    for part in $(tr '/' ' ' <<<"$path"); do
      dir=$dir/$part
      if [[ ! -d "$dir" ]]; then mkdir "$dir"; cgroups+=("$dir"); fi
    done
    echo "$pid" >"$dir/cgroup.procs"
  done
}

# workload N HOSTNAME CGROUP: a process with its own network and UTS
# namespaces, HOSTNAME, the address 203.0.113.(4N+2)/30 towards the node
# (which has .4N+1), placed in CGROUP. Sets $last_pid (not a subshell: the
# cleanup must know the process and the cgroups).
workload() {
  local n=$1 name=$2 path=$3 pid
  unshare --net --uts sh -c "hostname $name; exec sleep 600" </dev/null >/dev/null 2>&1 &
  pid=$!
  pids+=("$pid")
  # Until unshare has execed into the namespaces.
  local deadline=$((SECONDS + 10))
  until [[ "$(readlink "/proc/$pid/ns/uts")" != "$(readlink /proc/self/ns/uts)" ]]; do
    ((SECONDS < deadline)) || fail "workload $name did not start"
    sleep 0.1
  done
  ip link add "nfce-w$n" netns "$ns" type veth peer name eth0 netns "$pid"
  ip -n "$ns" addr add "203.0.113.$((4 * n + 1))/30" dev "nfce-w$n"
  ip -n "$ns" link set "nfce-w$n" up
  nsenter -t "$pid" -n ip addr add "203.0.113.$((4 * n + 2))/30" dev eth0
  nsenter -t "$pid" -n ip link set eth0 up
  nsenter -t "$pid" -n ip link set lo up
  place "$pid" "$path"
  last_pid=$pid
}
netns_of() { readlink "/proc/$1/ns/net" | tr -dc 0-9; }

pod_uid=5e1e4d2a-8c0b-4f7e-9a3d-2b6c1d0e9f81
pod_id=4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970
web_uid=0b9a2c44-1d2e-4f3a-8b5c-6d7e8f901234
web_id=9e3b1a5c7d2f4e6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f1a2b3c4d5e6f70
box_id=c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00

step "three workloads: two pods (systemd and cgroupfs drivers) and a Docker container"
workload 0 coredns-5d78c9869d-x7k2p \
  "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${pod_uid//-/_}.slice/cri-containerd-$pod_id.scope"
pod=$last_pid
workload 1 web-7f9c8d6b5-q2w3e "kubepods/besteffort/pod$web_uid/$web_id"
web=$last_pid
workload 2 builder "system.slice/docker-$box_id.scope"
box=$last_pid
echo "     pids $pod $web $box; cgroup of the pod: $(grep -m1 kubepods "/proc/$pod/cgroup")"

# UDP from each workload to the node: 30, 20 and 10 flows.
flows() {  # flows PID N COUNT
  nsenter -t "$1" -n python3 - "$2" "$3" <<'PY'
import socket, sys
n, count = int(sys.argv[1]), int(sys.argv[2])
src, dst = "203.0.113.%d" % (4 * n + 2), "203.0.113.%d" % (4 * n + 1)
for p in range(30000, 30000 + count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, p))
    s.sendto(b"x", (dst, 5353))
    s.close()
PY
}
# The node tracks what arrives: one rule with ct state in its input.
in_ns nft add chain inet nfce_test track_in '{ type filter hook input priority 0; }'
in_ns nft add rule inet nfce_test track_in ct state new counter
in_ns sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
flows "$pod" 0 30
flows "$web" 1 20
flows "$box" 2 10

ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$eport" \
  --collector.flows --collector.flows.interval=1s \
  --collector.netns --collector.netns.interval=1s --collector.netns.max=100000 \
  2>"$work/exporter.log" &
pids+=($!)
port=$eport
in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$eport/metrics 10"

step "the info series name all three exactly"
info() {  # info PID HOSTNAME POD_UID CONTAINER_ID
  echo "nf_conntrack_netns_info{netns=\"$(netns_of "$1")\",hostname=\"$2\",pod_uid=\"$3\",container_id=\"$4\"}"
}
wait_value "the pod (systemd driver)" "value '$(info "$pod" coredns-5d78c9869d-x7k2p "$pod_uid" "$pod_id")'" 1 20
wait_value "the pod (cgroupfs driver)" "value '$(info "$web" web-7f9c8d6b5-q2w3e "$web_uid" "$web_id")'" 1 20
wait_value "the Docker container" "value '$(info "$box" builder "" "$box_id")'" 1 20
metrics=$(scrape)
for pair in "$pod 203.0.113.2" "$web 203.0.113.6" "$box 203.0.113.10"; do
  read -r pid address <<<"$pair"
  expect_eq "address_info $address" \
    "$(value "nf_conntrack_address_info{address=\"$address\",netns=\"$(netns_of "$pid")\"}" "$metrics")" 1
done
# Loopback and link-local addresses are in every namespace: never listed.
grep -qE 'nf_conntrack_address_info\{address="(127\.0\.0\.1|::1|fe80:)' <<<"$metrics" &&
  fail "loopback or link-local addresses are listed"
echo "ok   no loopback or link-local address listed"
wait_value "top source 203.0.113.2" "value 'nf_conntrack_flows_top_source_entries{address=\"203.0.113.2\"}'" 30 20
lint=$(promtool check metrics <<<"$(scrape)" 2>&1) || true
[[ -z "$lint" ]] || fail "promtool check metrics: $lint"
echo "ok   promtool check metrics is clean with the flows and netns series"

step "the join of docs/metrics.md returns the pod's name from a real Prometheus"
prometheus_in_ns "$pport" "$eport"
# The query as docs/metrics.md writes it, taken from there.
join=$(awk '/^<!-- join: top sources by workload -->/ { on = 1; next } on && /^```promql/ { next }
  on && /^```/ { exit } on { print }' "$here/../../docs/metrics.md")
[[ -n "$join" ]] || fail "docs/metrics.md has no marked join query"
named() {
  in_ns curl -fsS --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$join" |
    python3 -c 'import json, sys
for r in json.load(sys.stdin)["data"]["result"]:
    m = r["metric"]
    print(m["address"], m.get("hostname", ""), m.get("pod_uid", ""), r["value"][1])'
}
deadline=$((SECONDS + 60))
until out=$(named) && grep -qx "203.0.113.2 coredns-5d78c9869d-x7k2p $pod_uid 30" <<<"$out"; do
  ((SECONDS < deadline)) || { named; fail "the join does not name 203.0.113.2 as the pod"; }
  sleep 1
done
named
echo "ok   the join names 203.0.113.2 as pod coredns-5d78c9869d-x7k2p"

step "the doctor names the pod beside its address"
out=$(ip netns exec "$ns" "$exporter" doctor --kernel-log= || true)
grep -F "203.0.113.2 (pod coredns-5d78c9869d-x7k2p, netns $(netns_of "$pod")): 30 entries" <<<"$out" ||
  { echo "$out"; fail "the doctor does not name the pod"; }
grep -F "203.0.113.10 (container c0ffee00c0ff (builder), netns $(netns_of "$box"))" <<<"$out" ||
  { echo "$out"; fail "the doctor does not name the container"; }
echo "naming e2e: all checks passed"

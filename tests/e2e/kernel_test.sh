#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End to end on the real kernel, in a network namespace of its own that it
# always deletes: the exporter, running inside the namespace, must report
# what the kernel and conntrack(8) report, before and after the table fills
# and the kernel drops packets; and hold CAP_NET_ADMIN only in the mode that
# speaks ctnetlink.
#
# usage: kernel_test.sh EXPORTER procfs|netlink
#   procfs:  stat counters from /proc/net/stat/nf_conntrack
#   netlink: the exporter is told to ignore that file and use ctnetlink
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
mode=$2
[[ "$mode" == procfs || "$mode" == netlink ]] || fail "mode must be procfs or netlink"
require_tools ip nft conntrack curl setpriv ss
if [[ "$mode" == procfs && ! -e /proc/net/stat/nf_conntrack ]]; then
  skip_or_fail "kernel without CONFIG_NF_CONNTRACK_PROCFS: only the netlink mode applies"
fi

init_workspace "nfce-e2e-$mode-$$"

port=$(free_port)
create_test_netns "$ns" "$port"

# start_exporter LOG [PREFIX...] -- [FLAGS...]: runs the exporter in the netns.
start_exporter() {
  local log=$1
  shift
  local prefix=()
  while [[ $1 != -- ]]; do prefix+=("$1"); shift; done
  shift
  # Not through in_ns: a backgrounded function is a subshell, and killing
  # it would leave the exporter running. ip netns exec execs its command.
  ip netns exec "$ns" "${prefix[@]}" "$exporter" \
    --web.listen-address="127.0.0.1:$port" "$@" 2>"$log" &
  pids+=($!)
  in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$port/metrics 10"
}
stop_exporter() {
  kill "${pids[-1]}"
  wait "${pids[-1]}" || true
  unset 'pids[-1]'
}

flags=()
[[ "$mode" == netlink ]] && flags+=(--collector.stat.source=netlink)
scrape() { in_ns curl -fsS --max-time 10 "http://127.0.0.1:$port/metrics"; }
# metric NAME [LABELS]: the value of one sample in $metrics.
metric() {
  local name=$1 labels=${2:-}
  awk -v k="$name$labels" '$1 == k { print $2; found=1 } END { exit !found }' \
    <<<"$metrics" || fail "no sample $name$labels in /metrics"
}
expect_eq() {  # expect_eq WHAT GOT WANT (numerically)
  awk -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-9 * (b < 0 ? -b : b) + 1e-12) }' ||
    fail "$1: got $2, want $3"
  echo "ok   $1 = $2"
}

conntrack_drop_sum() {
  in_ns conntrack -S | tr ' ' '\n' | awk -F= '$1 == "drop" { s += $2 } END { print s + 0 }'
}

max=$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_max)
buckets=$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_buckets)
((max > 0)) || skip_or_fail "nf_conntrack_max is 0 (no limit): the table cannot fill"
((max <= 2097152)) || skip_or_fail "nf_conntrack_max=$max is too large to fill in a test"

step "insert N assured entries, compare with the sysctls and conntrack -C"
n=5000
conntrack_entries "$n" 0 >"$work/first.txt"
in_ns conntrack -R "$work/first.txt"
start_exporter "$work/exporter.log" -- "${flags[@]}"
metrics=$(scrape)
count=$(in_ns conntrack -C)
expect_eq "conntrack -C" "$count" "$n"
expect_eq nf_conntrack_entries "$(metric nf_conntrack_entries)" "$count"
expect_eq nf_conntrack_entries_limit "$(metric nf_conntrack_entries_limit)" "$max"
expect_eq nf_conntrack_buckets "$(metric nf_conntrack_buckets)" "$buckets"
expect_eq nf_conntrack_bucket_load "$(metric nf_conntrack_bucket_load)" \
  "$(awk -v a="$n" -v b="$buckets" 'BEGIN { printf "%.17g", a / b }')"
source_label=procfs
[[ "$mode" == netlink ]] && source_label=ctnetlink
expect_eq "stat source $source_label" \
  "$(metric nf_conntrack_stat_source_info "{source=\"$source_label\"}")" 1
for c in table stat slab timeouts; do
  expect_eq "success{$c}" \
    "$(metric nf_conntrack_scrape_collector_success "{collector=\"$c\"}")" 1
done
expect_eq nf_conntrack_module_loaded "$(metric nf_conntrack_module_loaded)" 1
expect_eq "drop before filling" "$(metric nf_conntrack_stat_drop_total)" \
  "$(conntrack_drop_sum)"

step "fill the table to its limit ($max)"
conntrack_entries "$((max - n))" "$n" >"$work/fill.txt"
in_ns conntrack -R "$work/fill.txt" 2>"$work/fill.err" || true
count=$(in_ns conntrack -C)
expect_eq "conntrack -C at the limit" "$count" "$max"
metrics=$(scrape)
expect_eq "nf_conntrack_entries at the limit" "$(metric nf_conntrack_entries)" "$max"
drop_before=$(metric nf_conntrack_stat_drop_total)

step "send K packets that need new entries: the kernel must drop each"
k=7
send_new_udp "$ns" "$k"
metrics=$(scrape)
drop_after=$(metric nf_conntrack_stat_drop_total)
expect_eq "drop_total rise" "$(awk -v a="$drop_after" -v b="$drop_before" 'BEGIN { print a - b }')" "$k"
expect_eq "drop_total against conntrack -S" "$drop_after" "$(conntrack_drop_sum)"
# The symptom operators see: since 6.17 the line names the namespace's inode.
inode=$(stat -L -c %i "/run/netns/$ns")
if kernel_log=$(dmesg 2>/dev/null); then
  grep -qE "table full(, | in netns $inode, )dropping packet" <<<"$kernel_log" ||
    fail "the kernel log has no 'table full' line for netns $inode"
  echo "ok   kernel log: $(grep -E 'table full' <<<"$kernel_log" | tail -1)"
else
  echo "info dmesg not readable here; kernel log not checked"
fi
# The doctor, on the same full table, must say CRITICAL and name the drops.
doctor_code=0
doctor_out=$(in_ns "$exporter" doctor --no-flows) || doctor_code=$?
[[ "$doctor_code" == 2 ]] || { echo "$doctor_out"; fail "doctor exit $doctor_code on a full table, want 2 (CRITICAL)"; }
grep -q '^nf_conntrack doctor: CRITICAL' <<<"$doctor_out" || fail "doctor verdict is not CRITICAL"
grep -qF "the kernel dropped $k packets" <<<"$doctor_out" || { echo "$doctor_out"; fail "doctor does not name the $k drops"; }
grep -qF "the table is 100.0% full" <<<"$doctor_out" || { echo "$doctor_out"; fail "doctor does not say the table is full"; }
echo "ok   doctor: CRITICAL (exit 2), names the $k drops and the full table"
insert=$(metric nf_conntrack_stat_insert_total)
echo "info insert_total=$insert early_drop_total=$(metric nf_conntrack_stat_early_drop_total)"
stop_exporter

# CAP_NET_ADMIN only where a collector speaks ctnetlink: with the proc files
# the exporter gives it up at start, from every thread and (as root) the
# bounding set; reading the counters through ctnetlink, it keeps it. Run
# both ways the unit and the DaemonSet run it: root, and a user holding the
# two capabilities as ambient ones (DynamicUser + AmbientCapabilities).
cap_net_admin_in() {  # cap_net_admin_in PID SET: yes/no for every thread
  local t mask seen=""
  for t in /proc/"$1"/task/*/status; do
    mask=$(awk -v k="Cap$2:" '$1 == k { print $2 }' "$t")
    if (((16#$mask >> 12) & 1)); then seen+=" yes"; else seen+=" no"; fi
  done
  tr ' ' '\n' <<<"$seen" | sort -u | tr -d '\n'
}
want=yes
[[ "$mode" == procfs ]] && want=no
for who in root ambient; do
  prefix=()
  [[ "$who" == ambient ]] && prefix=(setpriv --reuid=65534 --regid=65534 --clear-groups
    --inh-caps=+net_admin,+dac_read_search --ambient-caps=+net_admin,+dac_read_search)
  start_exporter "$work/caps-$who.log" "${prefix[@]}" -- "${flags[@]}"
  pid=${pids[-1]}
  sets=(Eff Prm)
  [[ "$want" == no && "$who" == root ]] && sets+=(Bnd)
  for set in "${sets[@]}"; do
    got=$(cap_net_admin_in "$pid" "$set")
    [[ "$got" == "$want" ]] ||
      fail "CAP_NET_ADMIN in Cap$set of the exporter's threads ($who, $mode): '$got', want '$want'"
    echo "ok   CAP_NET_ADMIN in Cap$set of every thread ($who): $got"
  done
  log=$(<"$work/caps-$who.log")
  if [[ "$want" == no && "$log" != *'msg="dropped CAP_NET_ADMIN"'* ]]; then
    fail "no log line says CAP_NET_ADMIN was dropped ($who)"
  fi
  metrics=$(scrape)
  expect_eq "success{stat} ($who, CAP_NET_ADMIN $want)" \
    "$(metric nf_conntrack_scrape_collector_success '{collector="stat"}')" 1
  stop_exporter
done

step "without privileges: the right collector fails, the others serve"
start_exporter "$work/nobody.log" setpriv --reuid=65534 --regid=65534 --clear-groups -- "${flags[@]}"
metrics=$(scrape)
expect_eq "unprivileged nf_conntrack_entries" "$(metric nf_conntrack_entries)" "$max"
expect_eq "unprivileged success{slab}" \
  "$(metric nf_conntrack_scrape_collector_success '{collector="slab"}')" 0
expect_eq "unprivileged nf_conntrack_slabinfo_readable" \
  "$(metric nf_conntrack_slabinfo_readable)" 0
expect_eq "unprivileged memory limit with the default object size" \
  "$(metric nf_conntrack_memory_limit_bytes)" "$((max * 256 + buckets * 8))"
if [[ "$mode" == netlink ]]; then
  expect_eq "unprivileged success{stat} (ctnetlink needs CAP_NET_ADMIN)" \
    "$(metric nf_conntrack_scrape_collector_success '{collector="stat"}')" 0
  grep -q 'CAP_NET_ADMIN' "$work/nobody.log" || fail "no log line names CAP_NET_ADMIN"
else
  expect_eq "unprivileged success{stat} from the proc file" \
    "$(metric nf_conntrack_scrape_collector_success '{collector="stat"}')" 1
fi
grep -qE 'kernel/slab|slabinfo' "$work/nobody.log" || fail "no log line names the slab source"
stop_exporter

echo "e2e ($mode): all checks passed"

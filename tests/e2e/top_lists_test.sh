#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Top lists past the sketch's capacity, on the real kernel: a table of
# 100,000 entries from 20,000 sources (more than the 6,144 counters of a
# sketch), in a network namespace of its own for each make-up (always
# deleted), checked against the truth the filler knows (top_lists.py):
# 1. uniform: no source is named; the doctor says that none stands out,
#    with the bound, and every count it gives holds the truth within it;
# 2. one heavy source (30 %, half of it answered): named first and alone,
#    its entries and unreplied entries within their stated bounds;
# 3. 100,000 source-NATed entries over 20,001 tuples, one with 20,000 ports
#    in use: that tuple named first and alone, its ports within the bound,
#    and no tuple left out holding more than the bound.
# tests/bench/top_lists.sh runs the same checks at two million entries.
set -euo pipefail
source "$(dirname "$0")/netns_lib.sh"
e2e_start "$1"
require_tools ip conntrack python3
init_workspace
entries=100000 sources=20000

for makeup in uniform heavy snat; do
  ns=nfce-top-$makeup-$$
  more_ns+=("$ns")
  ip netns add "$ns"
  max=$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_max)
  ((max >= entries)) || skip_or_fail "nf_conntrack_max=$max holds fewer than $entries entries"
  step "$makeup: $entries entries from $sources sources"
  in_ns python3 "$here/top_lists.py" fill "$makeup" "$entries" "$sources" "$work/truth.json"
  # Exit status 1/2: the doctor's verdict on this table, not a failure.
  in_ns "$exporter" doctor --kernel-log= --output=json >"$work/doctor.json" || (($? < 3))
  in_ns "$exporter" doctor --kernel-log= >"$work/doctor.txt" || (($? < 3))
  python3 "$here/top_lists.py" check "$makeup" "$work/truth.json" \
    "$work/doctor.json" "$work/doctor.txt" || { cat "$work/doctor.txt"; fail "$makeup"; }
  ip netns del "$ns"
done
echo "PASS"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `nf_conntrack_exporter doctor` on fixture trees: the verdict and exit
# status for an idle table, an 80 % table, a full table with drops, a
# missing module and a legacy ip_conntrack kernel; the JSON output parses.
# Then the fix that works on each kind of host: a loadable module, conntrack
# built in, a child network namespace, a Kubernetes node; and the readings
# it must not get wrong: no stat file, no nf_conntrack_max, kernel log lines
# that are not this namespace's.
#
# usage: doctor_test.sh EXPORTER
set -euo pipefail
exporter=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
require_tools python3

doctor() {  # doctor TREE [FLAGS...]: runs it, sets $out and $code
  local tree=$1
  shift
  code=0
  out=$("$exporter" doctor --path.procfs="$tree/proc" --path.sysfs="$tree/sys" \
    --no-flows "$@") || code=$?
}
check() {  # check NAME TREE WANT_CODE WANT_VERDICT MUST_SAY [FLAGS...]
  local name=$1 tree=$2 want=$3 verdict=$4 say=$5
  shift 5
  doctor "$tree" "$@"
  [[ "$code" == "$want" ]] || { echo "$out"; fail "$name: exit $code, want $want"; }
  grep -q "^nf_conntrack doctor: $verdict" <<<"$out" || { echo "$out"; fail "$name: verdict is not $verdict"; }
  grep -qF -- "$say" <<<"$out" || { echo "$out"; fail "$name: the report does not say: $say"; }
  echo "ok   $name: $verdict (exit $code), says \"$say\""
}
fx=$here/fixtures
check idle "$fx/idle" 0 OK "nothing was dropped" --kernel-log=
check eighty "$fx/eighty" 1 WARNING "the table is 80.0% full" --kernel-log=
check full "$fx/full" 2 CRITICAL "the kernel dropped 9 packets" --kernel-log="$fx/full/kmsg"
grep -qF "1 recent 'table full' line(s)" <<<"$out" || fail "full: the kernel log line is not counted"
grep -qF "sysctl -w net.netfilter.nf_conntrack_max=524288" <<<"$out" ||
  { echo "$out"; fail "full: no runtime command for a bigger limit"; }
check no-module "$here/../fixtures/no-module" 0 OK "not loaded" --kernel-log=
check legacy "$here/../fixtures/linux-2.6.18-ip_conntrack" 1 WARNING \
  "options ip_conntrack hashsize=" --kernel-log=

doctor "$fx/full" --kernel-log= --output=json
python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["verdict"] == "CRITICAL", d; assert d["recommendation"]["limit"] == 524288, d' <<<"$out" ||
  fail "JSON output does not parse or says the wrong thing"
echo "ok   --output=json parses: CRITICAL, recommended limit 524288"
# json_check TREE PYTHON_ASSERTIONS [FLAGS...]: runs the doctor with JSON
# output and evaluates the assertions with the report as `d`.
json_check() {
  local tree=$1 assertions=$2
  shift 2
  doctor "$tree" --output=json "$@"
  python3 -c "import json, sys
d = json.load(sys.stdin)
steps = [(s['where'], s['persistent'], s['text']) for s in (d['recommendation'] or {}).get('steps', [])]
$assertions" <<<"$out" || { echo "$out"; fail "$tree: $assertions"; }
}

check module "$fx/module" 2 CRITICAL "conntrack is a loadable module" --kernel-log=
grep -qF "/etc/modprobe.d/nf_conntrack.conf: options nf_conntrack hashsize=524288" <<<"$out" ||
  { echo "$out"; fail "module: no modprobe.d line"; }
grep -qF "/etc/modules-load.d/nf_conntrack.conf: nf_conntrack" <<<"$out" ||
  { echo "$out"; fail "module: no modules-load.d line (sysctl.d would not apply at boot)"; }
json_check "$fx/module" "assert d['conntrack_builtin'] is False and d['netns_initial'] is True
assert ('host', False, 'sysctl -w net.netfilter.nf_conntrack_buckets=524288') in steps, steps
assert not any(w == 'kernel-command-line' for w, _, _ in steps), steps" --kernel-log=
echo "ok   module: modprobe.d + modules-load.d, runtime buckets through the sysctl"

check builtin "$fx/builtin" 2 CRITICAL "conntrack is built into the kernel" --kernel-log=
json_check "$fx/builtin" "assert d['conntrack_builtin'] is True and d['netns_initial'] is True
assert ('kernel-command-line', True, 'nf_conntrack.hashsize=524288') in steps, steps
assert ('host', True, '/etc/sysctl.d/90-conntrack.conf: net.netfilter.nf_conntrack_buckets = 524288') in steps, steps
assert not any('modprobe' in t or '/sys/module' in t for _, _, t in steps), steps" --kernel-log=
echo "ok   built in: kernel command line and sysctl.d, no modprobe.d"

# A child network namespace: the limit and buckets sysctls are 0444 there.
child=$(mktemp -d)
trap 'rm -rf "$child"' EXIT  # widened below
cp -r "$fx/builtin/." "$child"
chmod 0444 "$child/proc/sys/net/netfilter/nf_conntrack_max" "$child/proc/sys/net/netfilter/nf_conntrack_buckets"
check child "$child" 2 CRITICAL "run the host steps on the host" --kernel-log=
json_check "$child" "assert d['netns_initial'] is False, d['netns_initial']
assert all(w in ('host', 'kernel-command-line') for w, _, _ in steps), steps
assert ('host', False, 'sysctl -w net.netfilter.nf_conntrack_buckets=524288') in steps, steps" --kernel-log=
echo "ok   child namespace: host steps (6.18 host: buckets sysctl), said so"

check kubernetes "$fx/kubernetes" 2 CRITICAL "kube-proxy runs here" --kernel-log=
json_check "$fx/kubernetes" "assert d['kube_proxy'] is True
assert ('kube-proxy', True, 'conntrack.maxPerCore: 131072 (flag --conntrack-max-per-core)') in steps, steps
assert ('kube-proxy', True, 'conntrack.min: 524288 (flag --conntrack-min)') in steps, steps
assert not any('nf_conntrack_max =' in t for _, _, t in steps), steps" --kernel-log=
echo "ok   Kubernetes node: kube-proxy's maxPerCore (524288 / 4 CPUs) and min"

check no-stat-file "$here/../fixtures/no-stat-file" 3 UNKNOWN "whether packets were dropped is unknown" --kernel-log=
grep -qF "nothing was dropped" <<<"$out" && { echo "$out"; fail "no-stat-file: says nothing was dropped without counters"; }
json_check "$here/../fixtures/no-stat-file" "assert d['counters'] is None, d['counters']" --kernel-log=
echo "ok   no stat file: UNKNOWN (exit 3), drops unknown, never 'nothing was dropped'"

check no-max "$fx/no-max" 3 UNKNOWN "could not read the limit (nf_conntrack_max)" --kernel-log=
grep -qF "no limit" <<<"$out" && { echo "$out"; fail "no-max: a missing nf_conntrack_max read as no limit"; }
json_check "$fx/no-max" "assert d['limit'] is None, d['limit']" --kernel-log=
echo "ok   no nf_conntrack_max: UNKNOWN, the limit null, not 'no limit'"

# Fails closed: what it could not read is UNKNOWN (exit 3), never OK.
bad=$(mktemp -d)
trap 'rm -rf "$child" "$bad"' EXIT
cp -r "$here/../fixtures/no-stat-file/." "$bad/garbage"
echo 'twelve thousand' >"$bad/garbage/proc/sys/net/netfilter/nf_conntrack_count"
check garbage-count "$bad/garbage" 3 UNKNOWN "could not read the entries (nf_conntrack_count)" --kernel-log=
grep -qF "nothing was dropped" <<<"$out" && { echo "$out"; fail "garbage-count: vouches for what it could not read"; }
cp -r "$fx/idle/." "$bad/dir-max"
rm "$bad/dir-max/proc/sys/net/netfilter/nf_conntrack_max"
mkdir "$bad/dir-max/proc/sys/net/netfilter/nf_conntrack_max"
check dir-max "$bad/dir-max" 3 UNKNOWN "not a regular file (a directory)" --kernel-log=
grep -qF "no limit" <<<"$out" && { echo "$out"; fail "dir-max: a directory read as no limit"; }
check dir-log "$fx/idle" 3 UNKNOWN "could not read the kernel log" --kernel-log="$bad"
grep -qF "0 recent 'table full'" <<<"$out" && { echo "$out"; fail "dir-log: a directory read as an empty log"; }
echo "ok   fails closed: garbage count, a directory as the limit or the log: UNKNOWN"

check stale-log "$fx/stale-log" 0 OK "drop counter is 0" --kernel-log="$fx/stale-log/kmsg"
grep -qF "0 recent 'table full' line(s) for this network namespace" <<<"$out" ||
  { echo "$out"; fail "stale-log: lines of another namespace were counted"; }
check full-log "$fx/full" 2 CRITICAL "the last: nf_conntrack: table full, dropping packet" --kernel-log="$fx/stale-log/kmsg"
grep -qF "nf_conntrack: nf_conntrack:" <<<"$out" && { echo "$out"; fail "full-log: doubled prefix shown"; }
echo "ok   kernel log: lines kept only where this namespace dropped; one prefix"

code=0
"$exporter" doctor --bogus >/dev/null 2>&1 || code=$?
[[ "$code" == 64 ]] || fail "a bad flag gave exit $code, want 64 (3 is UNKNOWN)"
echo "ok   a bad flag gives exit 64, apart from the verdicts"
echo "doctor: all checks passed"

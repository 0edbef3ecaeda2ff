#!/usr/bin/env bash
# `nf_conntrack_exporter doctor` on fixture trees: the verdict and exit
# status for an idle table, an 80 % table, a full table with drops, a
# missing module and a legacy ip_conntrack kernel; the JSON output parses.
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
code=0
"$exporter" doctor --bogus >/dev/null 2>&1 || code=$?
[[ "$code" == 3 ]] || fail "a bad flag gave exit $code, want 3"
echo "ok   a bad flag gives exit 3"
echo "doctor: all checks passed"

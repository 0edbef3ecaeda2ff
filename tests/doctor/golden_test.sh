#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `doctor --output=text` and `--output=json` on every fixture tree, diffed
# against tests/doctor/golden/<tree>.{txt,json}: a change to what the doctor
# says, or to its JSON keys, shows here. The kernel log is the tree's own
# `kmsg` where it has one, else none. Run from inside each tree with relative
# paths, so that the reports do not depend on where the checkout is.
#
# usage: golden_test.sh EXPORTER [--update]   (--update rewrites the files)
set -euo pipefail
exporter=$(realpath "$1")
update=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
for tree in "$here"/fixtures/*/ "$here"/../fixtures/*/; do
  name=$(basename "$tree")
  [[ -d "$tree/proc" ]] || continue
  log=
  [[ -f "$tree/kmsg" ]] && log=kmsg
  for format in text json; do
    ext=$format
    [[ $format == text ]] && ext=txt
    code=0
    (cd "$tree" && "$exporter" doctor --path.procfs=proc --path.sysfs=sys \
      --no-flows --kernel-log="$log" --output="$format") >"$work/$name.$ext" || code=$?
    # The exit status is the verdict (0-3); anything else is a failure.
    ((code <= 3)) || { echo "FAIL $name $format: exit $code"; failures=$((failures + 1)); }
    golden_compare "$work/$name.$ext" "$here/golden/$name.$ext" "$update" \
      "$name doctor --output=$format" || failures=$((failures + 1))
  done
done
((failures == 0)) || fail "$failures doctor golden case(s) differ"
echo "doctor golden: all cases passed"

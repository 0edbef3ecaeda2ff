#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fails when a shell script ends a pipeline in a reader that can stop early
# (`grep -q`, `grep -m`, `head`): under pipefail (set by every test, and
# inherited by what sources tests/lib.sh) the writer then dies of SIGPIPE
# and the pipeline fails by timing. Capture the output first:
#   out=$(cmd); grep -q PATTERN <<<"$out"
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

scripts=()
while IFS= read -r f; do scripts+=("$f"); done < <(
  find .ci scripts tests -type f \( -name '*.sh' -o -path './.ci/*' \) | sort)
((${#scripts[@]} > 0)) || { echo "FAIL: no shell scripts found under $top" >&2; exit 1; }

early_exit='\|[[:space:]]*(grep[[:space:]]+(-[a-zA-Z]*[qm]|--quiet|--max-count)|head([[:space:]]|$))'
found=0
for f in "${scripts[@]}"; do
  # A pipeline continued on the next line ("... |" then "  grep -q ...") is
  # joined first, numbered by its first line; comment lines are skipped.
  hits=$(awk '
    /^[[:space:]]*#/ { next }
    { line = (held == "") ? $0 : held " " $0; if (held == "") first = NR }
    /\|[[:space:]]*$/ { held = line; next }
    { print first ":" line; held = "" }' "$f" | grep -E -- "$early_exit" || true)
  if [[ -n "$hits" ]]; then
    found=1
    while IFS= read -r h; do echo "FAIL: $f:$h" >&2; done <<<"$hits"
  fi
done
((found == 0)) || exit 1
echo "ok   ${#scripts[@]} scripts: no pipeline ends in a reader that stops early"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source, script and build file names its licence (Apache-2.0, see
# LICENSE) in an SPDX line near its top.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
[[ -f LICENSE ]] || { echo "FAIL: no LICENSE file" >&2; exit 1; }
missing=0 checked=0
while IFS= read -r f; do
  case "$f" in
    tests/fixtures/* | tests/golden/* | tests/fuzz/seeds/*) continue ;;
    *.cc | *.h | *.c | *.in | *.sh | *.py | .ci/run | *CMakeLists.txt | *.cmake) ;;
    *) continue ;;
  esac
  checked=$((checked + 1))
  head=$(sed -n 1,3p "$f")
  if ! grep -qx '\(//\|#\) SPDX-License-Identifier: Apache-2.0' <<<"$head"; then
    echo "FAIL: $f has no SPDX-License-Identifier line in its first 3 lines" >&2
    missing=$((missing + 1))
  fi
done < <(git ls-files 2>/dev/null || find . -type f | sed 's#^\./##')
((checked > 0)) || { echo "FAIL: no source files found" >&2; exit 1; }
((missing == 0)) || exit 1
echo "ok   $checked source files carry an SPDX Apache-2.0 line"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The flag block of docs/configuration.md (where the README's "Flags" section
# moved) is the exporter's --help, character for character: the defaults and
# the help are written once, in the flag table.
#
# usage: readme_help_test.sh EXPORTER
set -euo pipefail
exporter=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
doc=$here/../../docs/configuration.md
# The first fenced block after "## Flags".
block=$(awk '/^## Flags/ { section = 1; next }
  section && /^```/ { if (inside) exit; inside = 1; next }
  inside { print }' "$doc")
[[ -n "$block" ]] || fail "docs/configuration.md has no fenced block under ## Flags"
help=$("$exporter" --help)
diff -u <(printf '%s\n' "$block") <(printf '%s\n' "$help") ||
  fail "docs/configuration.md's flag block differs from --help (paste the output of --help)"
echo "docs/configuration.md: the flag block is --help"

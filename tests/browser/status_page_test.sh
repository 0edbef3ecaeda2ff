#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The status page in a real browser: headless Chromium loads it from an
# exporter whose table (in a network namespace of its own) is 92 % full,
# and the page must show CRITICAL, the usage, a chart with samples, and what
# fills the table (from the flows collector's dump). The
# screenshot is kept in tests/browser/artifacts/status-page.png
# (UPDATE_SCREENSHOT=1 also copies it to docs/status-page.png).
#
# usage: status_page_test.sh EXPORTER
set -euo pipefail
exporter=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/../e2e/netns_lib.sh"
require_conntrack_root
require_tools ip nft conntrack curl chromium
init_workspace "nfce-browser-$$"

port=19372
create_test_netns "$ns" "$port"
max=$(in_ns cat /proc/sys/net/netfilter/nf_conntrack_max)
((max > 0 && max <= 2097152)) || skip_or_fail "nf_conntrack_max=$max cannot be filled in a test"
n=$((max * 92 / 100))
ip netns exec "$ns" "$exporter" --web.listen-address="127.0.0.1:$port" \
  --web.status.sample-interval=500ms --collector.flows \
  --collector.flows.interval=1s 2>"$work/exporter.log" &
pids+=($!)
in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$port/ 10"
# Fill in four steps, so that the chart has a climb to show.
step=$((n / 4))
for i in 0 1 2 3; do
  count=$step
  ((i == 3)) && count=$((n - 3 * step))
  conntrack_entries "$count" $((i * step)) >"$work/fill.txt"
  in_ns conntrack -R "$work/fill.txt"
  sleep 1
done

browse() {  # browse ARGS...: headless Chromium, no network but loopback
  timeout 120 ip netns exec "$ns" chromium --headless --no-sandbox --disable-gpu \
    --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/profile" \
    --hide-scrollbars "$@" 2>>"$work/chromium.log"
}
# The page shows the flows collector's latest dump: wait for one that saw
# the whole fill.
deadline=$((SECONDS + 30))
until dom=$(in_ns curl -fsS --max-time 10 "http://127.0.0.1:$port/") &&
  grep -qF "tcp established: $n (" <<<"$dom"; do
  ((SECONDS < deadline)) || fail "the status page never showed a dump of $n established entries"
  sleep 0.5
done
dom=$(browse --dump-dom "http://127.0.0.1:$port/")
grep -q 'id="verdict" class="verdict critical">CRITICAL<' <<<"$dom" ||
  { printf '%s\n' "${dom:0:2000}"; fail "the page does not show CRITICAL"; }
usage=$(awk -v n="$n" -v m="$max" 'BEGIN { printf "%.1f%%", 100 * n / m }')
grep -qF "id=\"usage\">$usage<" <<<"$dom" || fail "the page does not show usage $usage"
points=$(grep -o 'class="entries" points="[^"]*"' <<<"$dom" | tr ' ' '\n' | grep -c ',' || true)
((points >= 2)) || fail "the chart has $points samples, want at least 2"
grep -qF 'href="/metrics"' <<<"$dom" || fail "no link to /metrics"
grep -qF "<h2>What fills the table</h2>" <<<"$dom" || fail "no make-up section"
grep -qF "tcp established: $n (100.0%)" <<<"$dom" || fail "the make-up does not count the $n entries"
grep -qF "Top destinations:" <<<"$dom" || fail "no top destinations"
echo "ok   Chromium shows CRITICAL, $usage, a chart of $points samples, the make-up ($n established), a link to /metrics"

mkdir -p "$here/artifacts"
browse --screenshot="$work/status-page.png" --window-size=760,2200 "http://127.0.0.1:$port/" >/dev/null
size=$(stat -c %s "$work/status-page.png")
((size > 10000)) || fail "the screenshot is only $size bytes"
cp "$work/status-page.png" "$here/artifacts/status-page.png"
if [[ "${UPDATE_SCREENSHOT:-}" == 1 ]]; then cp "$work/status-page.png" "$here/../../docs/status-page.png"; fi
echo "ok   screenshot: tests/browser/artifacts/status-page.png ($size bytes)"
echo "browser: all checks passed"

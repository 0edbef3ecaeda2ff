# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the shell tests. Source it; do not run it.

# Prints a TCP port on loopback that nothing listens on.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 10000))
    if [[ -z "$(ss -Htln "sport = :$port")" ]]; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# wait_http URL [SECONDS]: polls until URL answers 200, at most SECONDS.
wait_http() {
  local url=$1 deadline=$((SECONDS + ${2:-10}))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $url within ${2:-10} s" >&2
  return 1
}

# A test that needs root or a conntrack kernel: skip (exit 77) on a
# developer machine, fail under CI=true, where both are promised.
skip_or_fail() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL (CI=true forbids skipping): $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit 77
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Normalises what varies between runs, so that /metrics can be diffed.
normalise_metrics() {
  sed -E \
    -e 's/^(nf_conntrack_scrape_collector_duration_seconds\{[^}]*\}) .*/\1 0/' \
    -e 's/^(process_[a-z_]+) .*/\1 0/' \
    -e 's/^(nf_conntrack_exporter_http_requests_total\{[^}]*\}) .*/\1 0/' \
    -e 's/^(nf_conntrack_exporter_http_connections(_dropped_total\{[^}]*\})?) .*/\1 0/' \
    -e 's/^(nf_conntrack_exporter_build_info)\{.*\} 1$/\1{revision="REVISION",version="VERSION"} 1/'
}

# golden_compare GOT GOLDEN UPDATE WHAT: with UPDATE "--update", copies GOT
# over GOLDEN; otherwise diffs them and says ok or FAIL (WHAT names the
# case). Returns 1 on a difference.
golden_compare() {
  local got=$1 golden=$2 update=$3 what=$4
  if [[ "$update" == --update ]]; then
    cp "$got" "$golden"
    echo "updated $golden"
  elif ! diff -u "$golden" "$got"; then
    echo "FAIL $what differs from ${golden#"$(dirname "$(dirname "$golden")")/"}" \
      "(rerun with --update if the change is intended)"
    return 1
  else
    echo "ok   $what"
  fi
}

# test_alertmanager_config RECEIVER_PORT: the example Alertmanager config with
# its webhooks pointed at the test receiver and its waits cut to seconds.
test_alertmanager_config() {
  sed -E \
    -e "s#http://127\.0\.0\.1:9095/#http://127.0.0.1:$1/#" \
    -e 's/group_wait: .*/group_wait: 1s/' \
    -e 's/group_interval: .*/group_interval: 1s/' \
    -e 's/repeat_interval: .*/repeat_interval: 1h/' \
    "$(dirname "${BASH_SOURCE[0]}")/../deploy/alertmanager/alertmanager.yml"
}

# wait_for_line FILE PATTERN SECONDS: waits until a line of FILE matches.
wait_for_line() {
  local deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    grep -qE -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

require_tools() {
  local tool
  for tool; do
    command -v "$tool" >/dev/null ||
      fail "$tool not found (run scripts/test.sh, which installs it)"
  done
}

# init_workspace [NS]: a temp dir in $work, a list for background pids in
# $pids, and an EXIT trap that stops those processes, deletes the network
# namespace NS if one is named (and those a test adds to $more_ns), and
# removes the temp dir — also on failure.
init_workspace() {
  ns=${1:-}
  work=$(mktemp -d)
  pids=()
  more_ns=()
  trap cleanup_workspace EXIT
}
cleanup_workspace() {
  local p n
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for n in "${more_ns[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  if [[ -n "$ns" ]]; then ip netns del "$ns" 2>/dev/null || true; fi
  rm -rf "$work"
}

# npm_install_pinned DIR: installs the packages pinned in DIR (package.json,
# package-lock.json, tsconfig.json) into $work and says which; skips (exit
# 77) where npm cannot fetch them. Needs init_workspace.
npm_install_pinned() {
  cp "$1/package.json" "$1/package-lock.json" "$1/tsconfig.json" "$work/"
  if ! (cd "$work" && timeout 300 npm ci --no-audit --no-fund --prefer-offline     >"$work/npm.log" 2>&1); then
    tail -5 "$work/npm.log" >&2
    echo "SKIP: npm ci failed (is the npm registry reachable?)" >&2
    exit 77
  fi
  echo "ok   $(cd "$work" && npm ls --depth=0 2>/dev/null | sed -n '2,$p' | tr -d '\n')"
}

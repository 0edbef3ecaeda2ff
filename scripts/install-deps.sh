#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages the exporter needs: `build` to build and
# run it, `test` for that plus everything the test suite drives (promtool,
# conntrack, nftables, ...). Installs only what is missing; needs root for
# that, nothing otherwise.
set -euo pipefail

build_packages=(
  g++ cmake make pkg-config git
  prometheus-cpp-dev
  curl xz-utils patch   # civetweb's source package (scripts/fetch-civetweb.sh)
  libabsl-dev libmnl-dev libyaml-cpp-dev libssl-dev libcrypt-dev zlib1g-dev
  nlohmann-json3-dev
  python3 python3-markdown   # the runbook served at /runbook
)
test_packages=(
  libgtest-dev
  libnetfilter-conntrack-dev   # the reference decoder (tests/reference)
  jsonnet         # the monitoring mixin (mixin/)
  prometheus      # promtool, and the server for the alerting e2e test
  prometheus-alertmanager   # alertmanager and amtool
  python3 python3-yaml   # webhook receiver, dashboard and manifest checks
  systemd         # systemd-analyze verify of the unit
  dpkg-dev file   # cpack -G DEB (dpkg-shlibdeps)
  clang libclang-rt-14-dev llvm   # sanitizer build, libFuzzer, symbolizer
  chromium        # the status page in a real browser
  conntrack nftables iptables iproute2 iputils-ping util-linux curl openssl wrk
  runc umoci podman binutils   # the OCI image: run, unpack, load; strip, readelf
)

case "${1:-build}" in
  build) wanted=("${build_packages[@]}") ;;
  test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 [build|test]" >&2; exit 2 ;;
esac
# The dashboard's schema check needs node and npm: Debian's, unless a node
# with its own npm (e.g. NodeSource's nodejs, which conflicts with Debian's
# npm) is already there.
if [[ "${1:-build}" == test ]] && ! command -v npm >/dev/null; then
  wanted+=(nodejs npm)
fi

missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == *'install ok installed'* ]] || missing+=("$p")
done
fetch_civetweb() { bash "$(dirname "$0")/fetch-civetweb.sh"; }
((${#missing[@]} == 0)) && { fetch_civetweb; exit 0; }

if ((EUID != 0)); then
  echo "missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian's prometheus package would start a server on :9090 where an init
# system runs; the tests only need its promtool binary.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fetch_civetweb

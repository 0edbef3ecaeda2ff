#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Deployment artifacts, each checked by the real tool: systemd-analyze
# verify for the unit, promtool check config for the Prometheus example,
# cmake --install for the layout, and cpack's .deb inspected with dpkg-deb.
#
# usage: deploy_test.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/../lib.sh"
require_tools systemd-analyze promtool cpack dpkg-deb python3
init_workspace
cd "$root"

echo "--- systemd unit"
# verify needs ExecStart to exist: check a copy that points at this build.
sed "s#/usr/bin/nf_conntrack_exporter#$build/exporter/nf_conntrack_exporter#" \
  deploy/systemd/nf_conntrack_exporter.service >"$work/nf_conntrack_exporter.service"
systemd-analyze verify "$work/nf_conntrack_exporter.service"
for key in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
  PrivateTmp=yes ProtectKernelModules=yes MemoryMax= IPAddressDeny=any 'IPAddressAllow=localhost' \
  'InaccessiblePaths=.*/etc/shadow' \
  'RestrictAddressFamilies=.*AF_NETLINK' 'AmbientCapabilities=CAP_DAC_READ_SEARCH CAP_NET_ADMIN$'; do
  grep -qE "^$key" deploy/systemd/nf_conntrack_exporter.service || fail "unit lacks $key"
done
echo "ok   systemd-analyze verify, hardening present"

echo "--- prometheus.yml"
promtool check config deploy/prometheus/prometheus.yml >/dev/null
echo "ok   promtool check config"

echo "--- kubernetes"
python3 "$here/check_kubernetes.py" "$build/exporter/nf_conntrack_exporter"

echo "--- cmake --install"
DESTDIR="$work/root" cmake --install "$build" >/dev/null
for f in usr/bin/nf_conntrack_exporter usr/lib/systemd/system/nf_conntrack_exporter.service \
  etc/default/nf_conntrack_exporter usr/share/nf-conntrack-exporter/prometheus/alerts.yml \
  usr/share/nf-conntrack-exporter/prometheus/rules.yml \
  usr/share/nf-conntrack-exporter/alertmanager/alertmanager.yml \
  usr/share/nf-conntrack-exporter/dashboards/nf-conntrack.json \
  usr/share/doc/nf-conntrack-exporter/runbook.md; do
  [[ -e "$work/root/$f" ]] || fail "cmake --install did not lay out /$f"
done
version_out=$("$work/root/usr/bin/nf_conntrack_exporter" --version) ||
  fail "the installed binary does not run"
grep -q 'nf_conntrack_exporter version' <<<"$version_out" ||
  fail "the installed binary prints no version: $version_out"
# civetweb is built in (with IPv6): no libcivetweb, and OpenSSL linked.
# (Output captured first: piped into a grep that quits at its first match,
# ldd dies of SIGPIPE and the pipeline fails under pipefail.)
ldd_out=$(ldd "$work/root/usr/bin/nf_conntrack_exporter")
grep -q "libcivetweb" <<<"$ldd_out" && fail "the installed binary loads libcivetweb: $ldd_out"
grep -q "libssl.so.3 => " <<<"$ldd_out" || fail "the installed binary does not link libssl.so.3"
echo "ok   binary, unit, defaults, rules, dashboard and docs in place"

echo "--- .deb"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >/dev/null
deb=$(ls "$work"/pkg/*.deb)
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/nf_conntrack_exporter ./usr/lib/systemd/system/nf_conntrack_exporter.service \
  ./etc/default/nf_conntrack_exporter ./usr/share/nf-conntrack-exporter/prometheus/alerts.yml \
  ./usr/share/nf-conntrack-exporter/prometheus/rules.yml \
  ./usr/share/nf-conntrack-exporter/dashboards/nf-conntrack.json \
  ./usr/share/doc/nf-conntrack-exporter/copyright; do
  grep -qxF "$f" <<<"$contents" || fail "the .deb lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
grep -q "libcivetweb" <<<"$depends" && fail "the .deb depends on libcivetweb: $depends"
# Not prometheus-cpp: the binary uses its data model (headers) and writes the
# text format itself (exporter/text_format.h), so no library of it is needed
# at run time, and dpkg-shlibdeps rightly leaves it out.
for lib in libmnl0 libabsl libssl3 libyaml-cpp libcrypt1 zlib1g; do
  grep -q "$lib" <<<"$depends" || fail "the .deb does not depend on $lib: $depends"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
grep -qx /etc/default/nf_conntrack_exporter <<<"$conffiles" ||
  fail "/etc/default/nf_conntrack_exporter is not a conffile"
copyright=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/nf-conntrack-exporter/copyright)
grep -qx "License: Apache-2.0" <<<"$copyright" || fail "the .deb's copyright file names no Apache-2.0 licence"
echo "ok   $(basename "$deb"): contents, copyright (Apache-2.0), Depends: $depends"
echo "deploy: all checks passed"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The OCI image, built and run here: scripts/build-image.sh writes the
# archive from the build in BUILD_DIR; umoci unpacks it and podman loads it;
# runc runs it the way the DaemonSet does, on the real kernel, in a network
# namespace of the test's own joined as the container's "host network"
# (always deleted): every capability dropped but DAC_READ_SEARCH and
# NET_ADMIN, a read-only root. It is scraped and its doctor run, as the
# image's non-root user (the two capabilities ambient) and as the
# DaemonSet's root; without DAC_READ_SEARCH the slab collector must fail.
#
# usage: image_test.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
source "$(dirname "$0")/../e2e/netns_lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
require_conntrack_root
for tool in runc umoci podman; do
  command -v "$tool" >/dev/null || skip_or_fail "$tool not found (scripts/install-deps.sh test installs it)"
done
require_tools curl python3 nft
init_workspace "nfce-image-$$"
containers=()
cleanup_image() {
  local c
  for c in "${containers[@]}"; do runc delete -f "$c" >/dev/null 2>&1 || true; done
  cleanup_workspace
}
trap cleanup_image EXIT
port=19372
create_test_netns "$ns" "$port"

step "build the image archive"
NFCE_BUILD_DIR="$build" bash "$root/scripts/build-image.sh" "$work/image.tar" | tee "$work/build.out"
ref=$(sed -n 's/^[^:]*: \([^,]*\),.*/\1/p' "$work/build.out")
echo "     archive $(stat -c %s "$work/image.tar") bytes"
image=$(awk '$1 == "image:" { print $2; exit }' "$root/deploy/kubernetes/daemonset.yaml")
expect_eq "the DaemonSet's image" "$image" "$ref"

step "podman loads it"
pm=(podman --root "$work/podman" --runroot "$work/podman-run" --storage-driver vfs)
"${pm[@]}" load -i "$work/image.tar" >"$work/podman.out" 2>&1 ||
  { cat "$work/podman.out"; fail "podman load refused the archive"; }
loaded=$("${pm[@]}" images --format '{{.Repository}}:{{.Tag}} {{.Size}}')
echo "     $loaded"
[[ "$loaded" == "localhost/$ref "* ]] || fail "podman shows '$loaded', want localhost/$ref"
user=$("${pm[@]}" image inspect --format '{{.Config.User}}' "$ref")
expect_eq "the image's user" "$user" "65534:65534"

step "umoci unpacks it"
mkdir "$work/layout"
tar -xf "$work/image.tar" -C "$work/layout"
umoci unpack --image "$work/layout:${ref##*:}" "$work/bundle" >/dev/null
echo "     rootfs $(du -sb "$work/bundle/rootfs" | cut -f1) bytes unpacked"

# run NAME UID CAPS ARGS...: the image in $ns as the DaemonSet runs it:
# the namespace's network, a read-only root, only CAPS (ambient for a
# non-root user, who would otherwise lose them at exec).
run() {
  local name=$1 uid=$2 caps=$3 bundle=$work/bundle-$1
  shift 3
  cp -a "$work/bundle" "$bundle"
  python3 - "$bundle/config.json" "$uid" "$caps" "/run/netns/$ns" "$@" <<'PY'
import json, sys
path, uid, caps, netns, args = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
caps = [f"CAP_{c}" for c in caps.split(",") if c]
c = json.load(open(path))
p = c["process"]
p.update(terminal=False, noNewPrivileges=True, user={"uid": uid, "gid": uid})
p["args"] = ["/usr/bin/nf_conntrack_exporter"] + args
p["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted", "inheritable")}
p["capabilities"]["ambient"] = caps if uid != 0 else []
c["root"]["readonly"] = True
# The network namespace is joined, not made: hostNetwork.
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["linux"]["namespaces"].append({"type": "network", "path": netns})
# sysfs cannot be mounted without a network namespace of one's own: bound
# read-only from the host, as container engines do for host networking.
c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys", "/sys/fs/cgroup")]
c["mounts"].append({"destination": "/sys", "type": "bind", "source": "/sys",
                    "options": ["rbind", "ro", "nosuid", "noexec", "nodev"]})
json.dump(c, open(path, "w"), indent=1)
PY
  containers+=("$name")
  runc run --bundle "$bundle" "$name" >"$work/$name.log" 2>&1 &
  pids+=($!)
  in_ns bash -c "$(declare -f wait_http); wait_http http://127.0.0.1:$port/metrics 15" ||
    { cat "$work/$name.log"; fail "the container $name does not serve"; }
}
stop() {
  runc delete -f "$1" >/dev/null 2>&1 || true
  deadline=$((SECONDS + 10))
  while in_ns curl -fsS -o /dev/null "http://127.0.0.1:$port/-/healthy" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "the container $1 still serves after delete"
    sleep 0.2
  done
}
success() { value "nf_conntrack_scrape_collector_success{collector=\"$1\"}"; }

step "as the image's user (65534), DAC_READ_SEARCH and NET_ADMIN ambient"
run nfce-img-user-$$ 65534 DAC_READ_SEARCH,NET_ADMIN \
  "--web.listen-address=127.0.0.1:$port" --collector.stat.source=netlink \
  --collector.expect.source=netlink --collector.flows --collector.flows.interval=1s
for c in table stat expect slab timeouts; do expect_eq "success{collector=\"$c\"}" "$(success $c)" 1; done
wait_value "success{collector=\"flows\"} (ctnetlink, NET_ADMIN)" "success flows" 1 15
expect_eq "stat read over ctnetlink" "$(value 'nf_conntrack_stat_source_info{source="ctnetlink"}')" 1
code=0
runc exec "nfce-img-user-$$" /usr/bin/nf_conntrack_exporter doctor --output=json \
  >"$work/doctor.json" 2>"$work/doctor.err" || code=$?
((code <= 1)) || { cat "$work/doctor.err"; fail "doctor in the container: exit $code"; }
python3 - "$work/doctor.json" <<'PY' || fail "the container's doctor did not read the table"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["module"] == "nf_conntrack" and d["limit"] > 0, d
assert d["counters"] is not None and d["object_size"], d
assert d["makeup"] is not None, d["makeup_note"]
assert d["expectations"]["limit"] > 0, d["expectations"]
PY
echo "ok   doctor in the container: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$work/doctor.json"), the table dumped, counters and slab read"
stop "nfce-img-user-$$"

step "as the DaemonSet runs it: root, its args, only the two capabilities"
mapfile -t args < <(python3 - "$root/deploy/kubernetes/daemonset.yaml" "$port" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
c = d["spec"]["template"]["spec"]["containers"][0]
sc = c["securityContext"]
assert sc["capabilities"]["drop"] == ["ALL"], sc
assert sorted(sc["capabilities"]["add"]) == ["DAC_READ_SEARCH", "NET_ADMIN"], sc
assert sc["readOnlyRootFilesystem"] is True, sc
env = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in c["env"]}
assert env == {"NODE_IP": "status.hostIP"}, env
for a in c["args"]:
    # The DaemonSet listens on the node's address, which the kubelet puts
    # in $(NODE_IP); here, loopback.
    print(a.replace("$(NODE_IP)", "127.0.0.1"))
PY
)
run nfce-img-root-$$ 0 DAC_READ_SEARCH,NET_ADMIN "${args[@]}"
for c in table stat expect slab timeouts; do expect_eq "success{collector=\"$c\"}" "$(success $c)" 1; done
stop "nfce-img-root-$$"

step "without DAC_READ_SEARCH the slab collector cannot read /proc/slabinfo"
run nfce-img-nodac-$$ 65534 NET_ADMIN "--web.listen-address=127.0.0.1:$port"
expect_eq "success{collector=\"slab\"}" "$(success slab)" 0
expect_eq "success{collector=\"table\"}" "$(success table)" 1
stop "nfce-img-nodac-$$"
echo "image: built, loaded, unpacked and run ($ref)"

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace nfce {

// Who a process belongs to, as its cgroup path names it.
struct CgroupIdentity {
  std::string pod_uid;       // a Kubernetes pod's UID, with dashes; "" if none
  std::string container_id;  // the container's ID (hex); "" if none
};

// Reads /proc/<pid>/cgroup (cgroup v1 "N:controllers:/path" lines and the
// v2 "0::/path" line) for the names the kubelet and the container runtimes
// give their cgroups:
// - the kubelet's systemd driver: .../kubepods-besteffort-pod<uid>.slice
//   (with "_" in the slice name standing for "-" in the UID), and its
//   cgroupfs driver: /kubepods/burstable/pod<uid>;
// - containerd, CRI-O, Docker and Podman scopes (cri-containerd-<id>.scope,
//   crio-<id>.scope, docker-<id>.scope, libpod-<id>.scope) and their
//   cgroupfs forms (a bare ID under a pod or /docker, crio-<id>).
// CRI-O's conmon (crio-conmon-<id>) is not a container. Lines it cannot
// read are skipped; the first line that names anything wins.
CgroupIdentity ParseCgroupIdentity(absl::string_view proc_pid_cgroup);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/cgroup.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace nfce {
namespace {

bool IsHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return !s.empty();
}

// A container ID: 12 to 64 lower-case hex digits.
bool IsContainerId(absl::string_view s) {
  return s.size() >= 12 && s.size() <= 64 && IsHex(s);
}

// A pod UID as the kubelet writes it: 8-4-4-4-12 hex digits, with "_" in
// place of "-" in a systemd slice name. "" if `s` is not one.
std::string PodUid(absl::string_view s) {
  if (s.size() != 36) return "";
  std::string uid(s);
  for (size_t i = 0; i < uid.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash && (uid[i] == '_' || uid[i] == '-')) {
      uid[i] = '-';
    } else if (dash || !IsHex(uid.substr(i, 1))) {
      return "";
    }
  }
  return uid;
}

// The pod UID of one path component: "pod<uid>" (cgroupfs) or
// "kubepods[-<qos>]-pod<uid>.slice" (systemd).
std::string PodOf(absl::string_view part) {
  if (absl::ConsumeSuffix(&part, ".slice")) {
    const size_t at = part.rfind("-pod");
    if (!absl::StartsWith(part, "kubepods") || at == absl::string_view::npos) {
      return "";
    }
    return PodUid(part.substr(at + 4));
  }
  if (absl::ConsumePrefix(&part, "pod")) return PodUid(part);
  return "";
}

// The container ID of one path component; `parent` is the one above it.
std::string ContainerOf(absl::string_view part, absl::string_view parent,
                        bool under_pod) {
  if (absl::StartsWith(part, "crio-conmon-")) return "";
  const bool scope = absl::ConsumeSuffix(&part, ".scope");
  for (absl::string_view prefix :
       {"cri-containerd-", "crio-", "docker-", "libpod-"}) {
    if (absl::ConsumePrefix(&part, prefix)) {
      return IsContainerId(part) ? std::string(part) : "";
    }
  }
  // cgroupfs: the bare ID under a pod (containerd, Docker) or /docker.
  if (!scope && IsContainerId(part) && (under_pod || parent == "docker")) {
    return std::string(part);
  }
  return "";
}

CgroupIdentity FromPath(absl::string_view path) {
  CgroupIdentity id;
  absl::string_view parent;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (std::string pod = PodOf(part); !pod.empty()) {
      id.pod_uid = pod;
    } else if (std::string c = ContainerOf(part, parent, !id.pod_uid.empty());
               !c.empty()) {
      id.container_id = c;
    }
    parent = part;
  }
  return id;
}

}  // namespace

CgroupIdentity ParseCgroupIdentity(absl::string_view text) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    // "hierarchy-ID:controller-list:cgroup-path"; the path may hold ':'.
    const size_t first = line.find(':');
    if (first == absl::string_view::npos) continue;
    const size_t second = line.find(':', first + 1);
    if (second == absl::string_view::npos) continue;
    absl::string_view path =
        absl::StripTrailingAsciiWhitespace(line.substr(second + 1));
    if (!absl::StartsWith(path, "/")) continue;
    CgroupIdentity id = FromPath(path);
    if (!id.pod_uid.empty() || !id.container_id.empty()) return id;
  }
  return {};
}

}  // namespace nfce

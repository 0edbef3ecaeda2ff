// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "collectors/kernel/kernel_view.h"
#include "collectors/parse/sysctl.h"

namespace nfce {
namespace {

bool IsPid(absl::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), absl::ascii_isdigit);
}

// Runs on its own thread: setns() changes only the calling thread.
void ReadInside(const std::vector<NetnsRef>& refs, const std::string& count,
                std::vector<absl::StatusOr<uint64_t>>* out) {
  for (size_t i = 0; i < refs.size(); ++i) {
    int fd = open(refs[i].path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      (*out)[i] = absl::NotFoundError(
          absl::StrCat(refs[i].path, ": ", std::strerror(errno)));
      continue;
    }
    int rc = setns(fd, CLONE_NEWNET);
    int err = errno;
    close(fd);
    if (rc < 0 && err == EINVAL) {
      // No longer a namespace: `ip netns del` unmounts it before it removes
      // the file. It vanished, like a process that exits.
      (*out)[i] = absl::NotFoundError(
          absl::StrCat(refs[i].path, ": no longer a network namespace"));
      continue;
    }
    if (rc < 0) {
      (*out)[i] = absl::PermissionDeniedError(
          absl::StrCat("setns into ", refs[i].path, ": ", std::strerror(err),
                       err == EPERM ? " (needs CAP_SYS_ADMIN)" : ""));
      continue;
    }
    // Not through the FileCache: its descriptors belong to other namespaces.
    absl::StatusOr<std::string> text = ReadFileToString(count);
    (*out)[i] = text.ok() ? ParseSysctlUint(*text)
                          : absl::StatusOr<uint64_t>(text.status());
  }
}

}  // namespace

std::vector<NetnsRef> KernelView::NetworkNamespaces() const {
  std::map<ino_t, NetnsRef> by_inode;
  auto add = [&](const std::string& path, const std::string& name) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return;  // gone, or not a namespace
    auto [it, inserted] = by_inode.try_emplace(st.st_ino);
    if (inserted ||
        (!name.empty() && it->second.label == absl::StrCat(st.st_ino))) {
      it->second = {name.empty() ? absl::StrCat(st.st_ino) : name, path,
                    st.st_ino};
    }
  };
  if (absl::StatusOr<std::vector<std::string>> names =
          ListDirectory(paths_.run_netns);
      names.ok()) {
    for (const std::string& n : *names) {
      add(absl::StrCat(paths_.run_netns, "/", n), n);
    }
  }
  if (absl::StatusOr<std::vector<std::string>> pids =
          ListDirectory(paths_.procfs);
      pids.ok()) {
    for (const std::string& p : *pids) {
      if (IsPid(p)) add(paths_.Proc(absl::StrCat(p, "/ns/net")), "");
    }
  }
  std::vector<NetnsRef> refs;
  for (auto& [inode, ref] : by_inode) refs.push_back(std::move(ref));
  std::stable_sort(refs.begin(), refs.end(), [](const auto& a, const auto& b) {
    bool named_a = a.label != absl::StrCat(a.inode);
    bool named_b = b.label != absl::StrCat(b.inode);
    return named_a > named_b;
  });
  return refs;
}

std::vector<absl::StatusOr<uint64_t>> KernelView::CountsInside(
    const std::vector<NetnsRef>& namespaces) const {
  std::vector<absl::StatusOr<uint64_t>> counts(namespaces.size(),
                                               absl::UnknownError("not read"));
  if (!running_kernel_) {
    for (auto& c : counts) {
      c = absl::FailedPreconditionError(absl::StrCat(
          "network namespaces belong to the running kernel, not to "
          "--path.procfs=",
          paths_.procfs));
    }
    return counts;
  }
  std::thread worker(ReadInside, std::cref(namespaces),
                     SysctlPath(ConntrackFlavor::kNfConntrack, "count"),
                     &counts);
  worker.join();
  return counts;
}

}  // namespace nfce

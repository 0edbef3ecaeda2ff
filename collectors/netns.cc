// SPDX-License-Identifier: Apache-2.0
#include "collectors/netns.h"

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
#include "collectors/families.h"
#include "collectors/file_reader.h"
#include "collectors/sysctl.h"

namespace nfce {
namespace {

bool IsPid(absl::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), absl::ascii_isdigit);
}

struct Reading {
  absl::StatusOr<uint64_t> entries = absl::UnknownError("not read");
};

// Runs on its own thread: setns() changes only the calling thread.
void ReadInside(const std::vector<NetnsRef>& refs, const std::string& count,
                std::vector<Reading>* out) {
  for (size_t i = 0; i < refs.size(); ++i) {
    int fd = open(refs[i].path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      (*out)[i].entries = absl::NotFoundError(
          absl::StrCat(refs[i].path, ": ", std::strerror(errno)));
      continue;
    }
    int rc = setns(fd, CLONE_NEWNET);
    int err = errno;
    close(fd);
    if (rc < 0 && err == EINVAL) {
      // No longer a namespace: `ip netns del` unmounts it before it removes
      // the file. It vanished, like a process that exits.
      (*out)[i].entries = absl::NotFoundError(
          absl::StrCat(refs[i].path, ": no longer a network namespace"));
      continue;
    }
    if (rc < 0) {
      (*out)[i].entries = absl::PermissionDeniedError(
          absl::StrCat("setns into ", refs[i].path, ": ", std::strerror(err),
                       err == EPERM ? " (needs CAP_SYS_ADMIN)" : ""));
      continue;
    }
    // Not through the FileCache: its descriptors belong to other namespaces.
    absl::StatusOr<std::string> text = ReadFileToString(count);
    (*out)[i].entries = text.ok() ? ParseSysctlUint(*text)
                                  : absl::StatusOr<uint64_t>(text.status());
  }
}

}  // namespace

std::vector<NetnsRef> ListNetworkNamespaces(const Paths& paths,
                                            const std::string& run_netns) {
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
  if (absl::StatusOr<std::vector<std::string>> names = ListDirectory(run_netns);
      names.ok()) {
    for (const std::string& n : *names) add(absl::StrCat(run_netns, "/", n), n);
  }
  if (absl::StatusOr<std::vector<std::string>> pids =
          ListDirectory(paths.procfs);
      pids.ok()) {
    for (const std::string& p : *pids) {
      if (IsPid(p)) add(paths.Proc(absl::StrCat(p, "/ns/net")), "");
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

absl::Status NetnsCollector::Collect(
    const ScrapeContext&, std::vector<prometheus::MetricFamily>* out) {
  std::vector<NetnsRef> refs =
      ListNetworkNamespaces(paths_, options_.run_netns);
  out->push_back(SingleGauge(
      "nf_conntrack_netns_found",
      "Network namespaces found (named under /run/netns, or of a process); "
      "at most --collector.netns.max of them are reported.",
      static_cast<double>(refs.size())));
  if (static_cast<int>(refs.size()) > options_.max) refs.resize(options_.max);

  std::vector<Reading> readings(refs.size());
  std::string count = paths_.Proc("sys/net/netfilter/nf_conntrack_count");
  std::thread worker(ReadInside, std::cref(refs), count, &readings);
  worker.join();

  auto family = GaugeFamily(
      "nf_conntrack_netns_entries",
      "Conntrack entries of each network namespace, labelled with its name "
      "under /run/netns or else its inode. Each is compared with the global "
      "nf_conntrack_max on its own.");
  absl::Status status;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (readings[i].entries.ok()) {
      AddSample(&family, static_cast<double>(*readings[i].entries),
                {{"netns", refs[i].label}});
    } else if (!absl::IsNotFound(readings[i].entries.status())) {
      status.Update(readings[i].entries.status());  // a process that exited
    }                                               // is not a failure
  }
  out->push_back(std::move(family));
  return status;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collectors/kernel/kernel_view.h"
#include "collectors/parse/sysctl.h"

namespace nfce {
namespace {

bool IsPid(absl::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), absl::ascii_isdigit);
}

// Joins the namespace of `type` at `path` (this thread only).
absl::Status Join(const std::string& path, int type) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  if (setns(fd.get(), type) == 0) return absl::OkStatus();
  const int err = errno;
  if (err == EINVAL) {
    // No longer a namespace: `ip netns del` unmounts it before it removes
    // the file. It vanished, like a process that exits.
    return absl::NotFoundError(absl::StrCat(path, ": no longer a namespace"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat("setns into ", path, ": ", std::strerror(err),
                   err == EPERM ? " (needs CAP_SYS_ADMIN)" : ""));
}

// Runs `visit(i, joined)` for each namespace on a short-lived thread of its
// own, joined to that namespace when `joined` is OK: setns() changes only
// the calling thread, and this process's own threads never change.
void InsideEach(const std::vector<NetnsRef>& refs,
                const std::function<void(size_t, absl::Status)>& visit) {
  std::thread worker([&] {
    for (size_t i = 0; i < refs.size(); ++i) {
      visit(i, Join(refs[i].path, CLONE_NEWNET));
    }
  });
  worker.join();
}

// The addresses of the namespace this thread is in: an RTM_GETADDR dump.
absl::Status ReadAddresses(size_t max, NetnsIdentity* out) {
  // Opened inside: a netlink socket belongs to its creator's namespace.
  absl::StatusOr<NetlinkSocket> sock = NetlinkSocket::Open(0, NETLINK_ROUTE);
  if (!sock.ok()) return sock.status();
  std::vector<char> buf(1 << 15);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = 1;
  auto* ifa = static_cast<ifaddrmsg*>(
      mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_UNSPEC;
  if (mnl_socket_sendto(sock->get(), nlh, nlh->nlmsg_len) < 0) {
    return NetlinkError(errno, "send RTM_GETADDR");
  }
  sock->SetReceiveTimeout(absl::Seconds(2));
  struct State {
    size_t max;
    NetnsIdentity* out;
  } state{max, out};
  auto callback = [](const nlmsghdr* m, void* data) -> int {
    auto* s = static_cast<State*>(data);
    absl::StatusOr<InterfaceAddress> a = ParseAddressMessage(m);
    // Loopback and link-local addresses are in every namespace alike.
    if (!a.ok() || a->scope >= RT_SCOPE_LINK) return MNL_CB_OK;
    if (s->out->addresses.size() >= s->max) {
      s->out->addresses_cut = true;
    } else {
      s->out->addresses.push_back(*a);
    }
    return MNL_CB_OK;
  };
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock->get(), buf.data(), buf.size());
    if (n < 0) return NetlinkError(errno, "receive RTM_GETADDR");
    int ret = mnl_cb_run(buf.data(), n, 1, sock->portid(), callback, &state);
    if (ret == MNL_CB_ERROR) return NetlinkError(errno, "RTM_GETADDR");
    if (ret == MNL_CB_STOP) return absl::OkStatus();
  }
}

}  // namespace

std::vector<NetnsRef> KernelView::NetworkNamespaces() const {
  std::map<ino_t, NetnsRef> by_inode;
  auto add = [&](const std::string& path, const std::string& name, int pid) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return;  // gone, or not a namespace
    auto [it, inserted] = by_inode.try_emplace(st.st_ino);
    NetnsRef& ref = it->second;
    if (inserted) ref = {absl::StrCat(st.st_ino), path, st.st_ino, 0};
    if (!name.empty() && ref.label == absl::StrCat(st.st_ino)) {
      ref.label = name;
      ref.path = path;
    }
    if (pid > 0 && (ref.pid == 0 || pid < ref.pid)) ref.pid = pid;
  };
  if (absl::StatusOr<std::vector<std::string>> names =
          ListDirectory(paths_.run_netns);
      names.ok()) {
    for (const std::string& n : *names) {
      add(absl::StrCat(paths_.run_netns, "/", n), n, 0);
    }
  }
  if (absl::StatusOr<std::vector<std::string>> pids =
          ListDirectory(paths_.procfs);
      pids.ok()) {
    for (const std::string& p : *pids) {
      int pid = 0;
      if (IsPid(p) && absl::SimpleAtoi(p, &pid)) {
        add(paths_.Proc(absl::StrCat(p, "/ns/net")), "", pid);
      }
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
    const std::vector<NetnsRef>& refs) const {
  std::vector<absl::StatusOr<uint64_t>> counts(refs.size(),
                                               absl::UnknownError("not read"));
  if (!running_kernel_) {
    for (auto& c : counts)
      c = absl::FailedPreconditionError(NotRunningKernel());
    return counts;
  }
  const std::string count = SysctlPath(ConntrackFlavor::kNfConntrack, "count");
  InsideEach(refs, [&](size_t i, absl::Status joined) {
    if (!joined.ok()) {
      counts[i] = joined;
      return;
    }
    // Not through the FileCache: its descriptors belong to other namespaces.
    absl::StatusOr<std::string> text = ReadFileToString(count);
    counts[i] = text.ok() ? ParseSysctlUint(*text)
                          : absl::StatusOr<uint64_t>(text.status());
  });
  return counts;
}

std::vector<NetnsIdentity> KernelView::NetnsIdentities(
    const std::vector<NetnsRef>& refs, size_t max_addresses) const {
  std::vector<NetnsIdentity> out(refs.size());
  if (!running_kernel_) {
    for (auto& id : out)
      id.status = absl::FailedPreconditionError(NotRunningKernel());
    return out;
  }
  InsideEach(refs, [&](size_t i, absl::Status joined) {
    NetnsIdentity& id = out[i];
    id.status = joined.ok() ? ReadAddresses(max_addresses, &id) : joined;
    const int pid = refs[i].pid;
    if (pid == 0) return;
    if (auto cgroup =
            ReadFileToString(paths_.Proc(absl::StrCat(pid, "/cgroup")));
        cgroup.ok()) {
      id.cgroup = *std::move(cgroup);
    }
    // Last: the thread stays in this UTS namespace until the next one.
    if (absl::Status uts =
            Join(paths_.Proc(absl::StrCat(pid, "/ns/uts")), CLONE_NEWUTS);
        !uts.ok()) {
      id.status.Update(uts);
      return;
    }
    utsname u{};
    if (uname(&u) == 0) id.hostname = u.nodename;
  });
  return out;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/kernel_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "collectors/kernel/file_reader.h"
#include "collectors/parse/kmsg.h"

namespace nfce {
namespace {

constexpr double kRecentSeconds = 3600;
// The kernel's ring buffer is at most 32 MiB (log_buf_len); more in one
// read is not a kernel log (/dev/zero, say), and must not take our memory.
constexpr size_t kMaxLogBytes = size_t{32} << 20;

}  // namespace

KernelLog::KernelLog(const KernelView& view)
    : view_(view), path_(view.paths().kmsg) {
  if (std::string inode = view.OwnNetnsInode(); !inode.empty()) {
    own_netns_ = absl::StrCat("in netns ", inode, ",");
  }
}

absl::Status KernelLog::Open() {
  fd_.reset(open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd_.get() < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot read ", path_, ": ", std::strerror(errno)));
  }
  struct stat st;
  if (fstat(fd_.get(), &st) != 0 ||
      !(S_ISCHR(st.st_mode) || S_ISREG(st.st_mode))) {
    fd_.reset();
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot read ", path_,
        ": not a kernel log (neither /dev/kmsg nor a saved log file)"));
  }
  live_ = S_ISCHR(st.st_mode);
  return absl::OkStatus();
}

// Keeps a "table full" record that can be this namespace's.
void KernelLog::Keep(absl::string_view record) {
  if (!absl::StrContains(record, "table full")) return;
  Line line;
  line.expectation = absl::StrContains(record, "expectation table full");
  line.named = absl::StrContains(record, "in netns ");
  if (line.named &&
      (own_netns_.empty() || !absl::StrContains(record, own_netns_))) {
    return;
  }
  const KmsgRecord parsed = ParseKmsgRecord(record, live_);
  line.usec = parsed.usec;
  line.text = TidyKernelLine(parsed.message);
  lines_.push_back(std::move(line));
}

// Reads what was written since the last call: /dev/kmsg gives one record per
// read and EAGAIN at the end; a saved file, bytes up to its end.
absl::Status KernelLog::ReadNew() {
  size_t total = 0;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd_.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) continue;  // a record was overwritten
    if (n < 0 && errno != EAGAIN) {
      return absl::UnavailableError(
          absl::StrCat("cannot read ", path_, ": ", std::strerror(errno)));
    }
    if (n <= 0) break;
    total += static_cast<size_t>(n);
    bytes_read_ += static_cast<uint64_t>(n);
    if (total > kMaxLogBytes || partial_.size() > kMaxLogBytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot read ", path_, ": more than ", kMaxLogBytes,
                       " bytes, larger than any kernel log"));
    }
    // Whole lines only: a read of a saved file can end inside one. Look for
    // the end of a line in the new bytes only (not all that is pending).
    const size_t in_new =
        absl::string_view(buf, static_cast<size_t>(n)).rfind('\n');
    partial_.append(buf, static_cast<size_t>(n));
    if (in_new == absl::string_view::npos) continue;
    const size_t end = partial_.size() - static_cast<size_t>(n) + in_new;
    for (absl::string_view l :
         absl::StrSplit(absl::string_view(partial_).substr(0, end), '\n')) {
      Keep(l);
    }
    partial_.erase(0, end + 1);
  }
  return absl::OkStatus();
}

absl::StatusOr<TableFullLines> KernelLog::Read() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_.get() < 0) {
    if (absl::Status s = Open(); !s.ok()) return s;
  }
  if (absl::Status s = ReadNew(); !s.ok()) {
    fd_.reset();  // start over next time
    partial_.clear();
    lines_.clear();
    return s;
  }
  if (!live_ && !partial_.empty()) {  // a saved file's last line
    Keep(partial_);
    partial_.clear();
  }
  const double uptime = live_ ? view_.UptimeSeconds().value_or(-1) : -1;
  // Lines leave the window in the order they came: drop them for good.
  while (uptime >= 0 && !lines_.empty() &&
         uptime - lines_.front().usec / 1e6 > kRecentSeconds) {
    lines_.pop_front();
  }
  TableFullLines out;
  for (const Line& l : lines_) {
    FullLines& kind = l.expectation ? out.expectation : out;
    ++kind.count;
    kind.unnamed_namespace |= !l.named;
    kind.last = l.text;
  }
  return out;
}

uint64_t KernelLog::bytes_read() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_read_;
}

}  // namespace nfce

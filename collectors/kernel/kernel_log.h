// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/kernel/file_reader.h"
#include "collectors/kernel/kernel_view.h"

namespace nfce {

// Kernel log lines of one kind that can be this network namespace's.
struct FullLines {
  int count = 0;
  bool unnamed_namespace = false;  // a line without "in netns" (before 6.17)
  std::string last;
};

// The conntrack table's "table full" lines, and the expectation table's.
struct TableFullLines : FullLines {
  FullLines expectation;  // "nf_conntrack: expectation table full"
};

// Reads "table full" lines (of the conntrack table or of the expectation
// table) from the kernel log the view names (/dev/kmsg,
// or a saved log file), keeping its place: the first Read() reads the whole
// log, each later one only what was written since (/dev/kmsg keeps one position
// per open descriptor). The status page holds one, so that a view does not
// reread a ring buffer of up to 32 MiB; the doctor on its own reads once.
//
// Since 6.17 a line names the namespace's inode: other namespaces' lines
// are theirs. Namespace inodes are recycled, so only recent lines count:
// those of the last hour, by the kernel's own clock (a saved log: all).
// Which lines count as this namespace's is the doctor's judgement.
class KernelLog {
 public:
  explicit KernelLog(const KernelView& view);
  KernelLog(const KernelLog&) = delete;
  KernelLog& operator=(const KernelLog&) = delete;

  absl::StatusOr<TableFullLines> Read();

  // Bytes read from the log so far (tests: a later Read() reads only what
  // is new).
  uint64_t bytes_read() const;

 private:
  struct Line {
    double usec = 0;  // the kernel's timestamp (/dev/kmsg)
    bool named = false;
    bool expectation = false;  // the expectation table's, not the table's
    std::string text;
  };
  absl::Status Open();
  absl::Status ReadNew();
  void Keep(absl::string_view record);

  mutable std::mutex mu_;
  const KernelView& view_;
  const std::string path_;
  Fd fd_;
  bool live_ = false;       // /dev/kmsg, not a saved file
  std::string own_netns_;   // "in netns <inode>,"
  std::string partial_;     // a saved file's last line, not yet complete
  std::deque<Line> lines_;  // this namespace's (or unnamed) "full" lines
  uint64_t bytes_read_ = 0;
};

}  // namespace nfce

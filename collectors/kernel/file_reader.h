// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

// The most the exporter reads of one file: /proc/net/stat/nf_conntrack on a
// 4,096-CPU machine is about 700 KiB, /proc/slabinfo a few hundred. A larger
// file (a 1 GiB file, /dev/zero bound over a sysctl) is an error, not a
// scrape that takes seconds or exhausts memory.
inline constexpr size_t kMaxPseudoFileBytes = size_t{4} << 20;
// A sysctl holds one number.
inline constexpr size_t kMaxSysctlBytes = 4096;

// Reads a whole (pseudo) file, at most `max_bytes`. Only regular files: a
// FIFO, device or directory is refused without blocking (opened with
// O_NONBLOCK, checked with fstat). Errors carry the path and map errno:
// ENOENT -> NotFound, EACCES/EPERM -> PermissionDenied; too large ->
// ResourceExhausted; not a regular file -> FailedPrecondition.
absl::StatusOr<std::string> ReadFileToString(
    const std::string& path, size_t max_bytes = kMaxPseudoFileBytes);

// The checks ReadFileToString makes, without reading: for files another
// library opens by name (TLS certificates and keys).
absl::Status CheckRegularFile(const std::string& path, size_t max_bytes);

bool PathExists(const std::string& path);

// Owns a file descriptor: closes it when destroyed or reset.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1);

 private:
  int fd_;
};

// `status` with "<where>: " before its message (and its code kept), so that
// a parse error names the file it came from.
absl::Status Prefixed(const absl::Status& status, absl::string_view where);

// Keeps pseudo files open between scrapes and rereads them from offset 0:
// sysctl, seq_file and sysfs files regenerate their content on every read,
// and skipping open() and close() (a path walk through /proc each time) is
// most of the cost of a scrape. Where a read through a kept descriptor fails
// (say, the sysctl went away with its module), the file is opened afresh.
// Files outside procfs and sysfs (fixture trees) can be replaced by rename,
// which a kept descriptor would not see: their identity is checked with a
// stat() on every read.
//
// Not for files whose content depends on the reading thread's network
// namespace when threads differ (the netns collector): a kept descriptor
// stays bound to the namespace it was opened in.
class FileCache {
 public:
  FileCache() = default;
  ~FileCache();
  FileCache(const FileCache&) = delete;
  FileCache& operator=(const FileCache&) = delete;

  // Reads `path` as ReadFileToString does. `generation`, if given, is set
  // to a number that changes whenever the file had to be opened afresh: the
  // kernel recreated it (a module reload) or it was replaced.
  absl::StatusOr<std::string> Read(const std::string& path,
                                   size_t max_bytes = kMaxPseudoFileBytes,
                                   uint64_t* generation = nullptr);
  // The lines of `path` (a last one without its newline counts), read in
  // pieces: for files of one line per item, whose size grows with the items
  // (/proc/net/nf_conntrack_expect).
  absl::StatusOr<uint64_t> CountLines(const std::string& path,
                                      size_t max_bytes);

 private:
  // What a read does with each piece, and how it starts over when a kept
  // descriptor turns out stale after some pieces.
  struct Reader {
    absl::FunctionRef<void(absl::string_view)> piece;
    absl::FunctionRef<void()> restart;
  };
  absl::Status Visit(const std::string& path, size_t max_bytes,
                     uint64_t* generation, const Reader& reader);

  struct Entry {
    int fd = -1;
    bool pseudo = false;       // procfs or sysfs: reads of a removed file fail
    bool single_read = false;  // one read returns it whole (file_reader.cc)
    dev_t dev = 0;
    ino_t ino = 0;
    uint64_t generation = 0;
  };
  std::mutex mu_;
  std::map<std::string, Entry> files_;
  uint64_t opened_ = 0;  // files opened so far: the next generation
};

// Names of the regular entries in `dir`, sorted; NotFound if it is missing.
absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir);

}  // namespace nfce

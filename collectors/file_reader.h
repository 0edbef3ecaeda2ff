#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

// Reads a whole (pseudo) file. Errors carry the path and map errno:
// ENOENT -> NotFound, EACCES/EPERM -> PermissionDenied.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

bool PathExists(const std::string& path);

// `status` with "<where>: " before its message (and its code kept), so that
// a parse error names the file it came from.
absl::Status Prefixed(const absl::Status& status, absl::string_view where);

// Keeps pseudo files open between scrapes and rereads them from offset 0:
// sysctl, seq_file and sysfs files regenerate their content on every read,
// and skipping open() and close() (a path walk through /proc each time) is
// most of the cost of a scrape. Where a read through a kept descriptor fails
// (say, the sysctl went away with its module), the file is opened afresh.
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

  absl::StatusOr<std::string> Read(const std::string& path);

 private:
  std::mutex mu_;
  std::map<std::string, int> fds_;
};

// The one FileCache the collectors share.
FileCache& SharedFileCache();

// Names of the regular entries in `dir`, sorted; NotFound if it is missing.
absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir);

}  // namespace nfce

#include "collectors/file_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace nfce {
namespace {

absl::Status ErrnoStatus(int err, const std::string& what,
                         const std::string& path) {
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

// Closes the descriptor whichever way the read ends.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

// Reads from offset 0 to EOF. Pseudo files report size 0, so read until EOF
// instead of trusting stat.
absl::StatusOr<std::string> ReadAll(int fd, const std::string& path) {
  std::string data;
  char buf[16384];
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof(buf), static_cast<off_t>(data.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot open", path);
  return ReadAll(fd.get(), path);
}

FileCache::~FileCache() {
  for (const auto& [path, fd] : fds_) close(fd);
}

absl::StatusOr<std::string> FileCache::Read(const std::string& path) {
  int fd = -1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = fds_.find(path); it != fds_.end()) fd = it->second;
  }
  if (fd >= 0) {
    absl::StatusOr<std::string> data = ReadAll(fd, path);
    if (data.ok()) return data;
    std::lock_guard<std::mutex> lock(mu_);  // stale: drop it, open afresh
    if (auto it = fds_.find(path); it != fds_.end() && it->second == fd) {
      fds_.erase(it);
      close(fd);
    }
  }
  int opened = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (opened < 0) return ErrnoStatus(errno, "cannot open", path);
  absl::StatusOr<std::string> data = ReadAll(opened, path);
  std::lock_guard<std::mutex> lock(mu_);
  if (data.ok() && fds_.emplace(path, opened).second) return data;
  close(opened);  // failed, or another scrape cached it meanwhile
  return data;
}

FileCache& SharedFileCache() {
  static auto* cache = new FileCache();
  return *cache;
}

absl::Status Prefixed(const absl::Status& status, absl::string_view where) {
  return absl::Status(status.code(),
                      absl::StrCat(where, ": ", status.message()));
}

bool PathExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir) {
  std::unique_ptr<DIR, DirCloser> d(opendir(dir.c_str()));
  if (!d) return ErrnoStatus(errno, "cannot list", dir);
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d.get())) {
    if (e->d_name[0] == '.') continue;
    names.emplace_back(e->d_name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace nfce

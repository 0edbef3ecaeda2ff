// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/file_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
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

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

// Opens a regular file for reading without ever blocking: O_NONBLOCK makes
// open() of a FIFO return at once, and fstat() refuses it and any device.
absl::StatusOr<int> OpenRegular(const std::string& path, struct stat* st) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  if (fstat(fd, st) != 0) {
    int err = errno;
    close(fd);
    return ErrnoStatus(err, "cannot stat", path);
  }
  if (!S_ISREG(st->st_mode)) {
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("refusing ", path, ": not a regular file (",
                     S_ISDIR(st->st_mode)    ? "a directory"
                     : S_ISFIFO(st->st_mode) ? "a FIFO"
                     : S_ISCHR(st->st_mode)  ? "a character device"
                     : S_ISBLK(st->st_mode)  ? "a block device"
                     : S_ISSOCK(st->st_mode) ? "a socket"
                                             : "not a file",
                     ")"));
  }
  return fd;
}

// Reads from offset 0 to EOF, at most max_bytes, handing each piece to
// `piece`. Pseudo files report size 0, so read until EOF instead of trusting
// stat. A `single_read` file (a sysctl, a sysfs attribute) is generated whole
// by each read: a short read is its end, and the read that would return 0 is
// skipped.
absl::Status ReadPieces(int fd, const std::string& path, size_t max_bytes,
                        bool single_read,
                        absl::FunctionRef<void(absl::string_view)> piece) {
  char buf[16384];
  size_t done = 0;
  for (;;) {
    // One byte past the limit tells "exactly max_bytes" from "more".
    size_t want = std::min(sizeof(buf), max_bytes + 1 - done);
    ssize_t n = pread(fd, buf, want, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
    if (done > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "refusing ", path, ": larger than ", max_bytes, " bytes"));
    }
    piece(absl::string_view(buf, static_cast<size_t>(n)));
    if (single_read && static_cast<size_t>(n) < want) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadAll(int fd, const std::string& path,
                                    size_t max_bytes,
                                    bool single_read = false) {
  std::string data;
  absl::Status s =
      ReadPieces(fd, path, max_bytes, single_read,
                 [&](absl::string_view p) { data.append(p.data(), p.size()); });
  if (!s.ok()) return s;
  return data;
}

// Where a kept file lives: its reads fail once it is removed (procfs,
// sysfs), and whether one read returns all of it (a sysctl under
// <procfs>/sys/, a sysfs attribute; not a seq_file such as
// /proc/net/stat/nf_conntrack, which a read can cut at a page).
struct PseudoKind {
  bool pseudo = false;
  bool single_read = false;
};
PseudoKind KindOf(int fd, const std::string& path) {
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0) return {};
  if (fs.f_type == SYSFS_MAGIC) return {true, true};
  if (fs.f_type == PROC_SUPER_MAGIC) {
    return {true, absl::StrContains(path, "/sys/")};
  }
  return {};
}

}  // namespace

void Fd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             size_t max_bytes) {
  struct stat st;
  absl::StatusOr<int> opened = OpenRegular(path, &st);
  if (!opened.ok()) return opened.status();
  Fd fd(*opened);
  return ReadAll(fd.get(), path, max_bytes);
}

absl::Status CheckRegularFile(const std::string& path, size_t max_bytes) {
  struct stat st;
  absl::StatusOr<int> opened = OpenRegular(path, &st);
  if (!opened.ok()) return opened.status();
  close(*opened);
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("refusing ", path, ": larger than ", max_bytes, " bytes"));
  }
  return absl::OkStatus();
}

FileCache::~FileCache() {
  for (const auto& [path, e] : files_) close(e.fd);
}

absl::Status FileCache::Visit(const std::string& path, size_t max_bytes,
                              uint64_t* generation, const Reader& reader) {
  Entry kept;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = files_.find(path); it != files_.end()) kept = it->second;
  }
  if (kept.fd >= 0) {
    struct stat now;
    const bool same =
        kept.pseudo || (stat(path.c_str(), &now) == 0 &&
                        now.st_dev == kept.dev && now.st_ino == kept.ino);
    if (same) {
      absl::Status read =
          ReadPieces(kept.fd, path, max_bytes, kept.single_read, reader.piece);
      if (read.ok() || absl::IsResourceExhausted(read)) {
        if (generation) *generation = kept.generation;
        return read;
      }
      reader.restart();
    }
    std::lock_guard<std::mutex> lock(mu_);  // stale: drop it, open afresh
    if (auto it = files_.find(path);
        it != files_.end() && it->second.fd == kept.fd) {
      files_.erase(it);
      close(kept.fd);
    }
  }
  struct stat st;
  absl::StatusOr<int> opened = OpenRegular(path, &st);
  if (!opened.ok()) return opened.status();
  absl::Status read =
      ReadPieces(*opened, path, max_bytes, /*single_read=*/false, reader.piece);
  const PseudoKind kind = KindOf(*opened, path);
  Entry fresh{*opened, kind.pseudo, kind.single_read, st.st_dev, st.st_ino, 0};
  std::lock_guard<std::mutex> lock(mu_);
  fresh.generation = ++opened_;
  if (generation) *generation = fresh.generation;
  if (read.ok() && files_.emplace(path, fresh).second) return read;
  close(fresh.fd);  // failed, or another scrape cached it meanwhile
  return read;
}

absl::StatusOr<std::string> FileCache::Read(const std::string& path,
                                            size_t max_bytes,
                                            uint64_t* generation) {
  std::string data;
  absl::Status s =
      Visit(path, max_bytes, generation,
            {[&](absl::string_view p) { data.append(p.data(), p.size()); },
             [&] { data.clear(); }});
  if (!s.ok()) return s;
  return data;
}

absl::StatusOr<uint64_t> FileCache::CountLines(const std::string& path,
                                               size_t max_bytes) {
  uint64_t lines = 0;
  char last = '\n';
  absl::Status s = Visit(
      path, max_bytes, nullptr,
      {[&](absl::string_view p) {
         lines += static_cast<uint64_t>(std::count(p.begin(), p.end(), '\n'));
         last = p.back();
       },
       [&] {
         lines = 0;
         last = '\n';
       }});
  if (!s.ok()) return s;
  return lines + (last != '\n' ? 1 : 0);  // a last line without its end
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

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <zlib.h>

#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace nfce {

// Compresses bodies to gzip with deflate streams kept for the next scrape.
// Setting a stream up allocates 256 KiB and clears a quarter of it: most
// of what compressing a scrape costs with a fresh stream (docs/performance.md,
// "Figures behind the code").
class GzipPool {
 public:
  GzipPool() = default;
  ~GzipPool();
  GzipPool(const GzipPool&) = delete;
  GzipPool& operator=(const GzipPool&) = delete;
  // Appends `in` in gzip format to `out`.
  absl::Status Compress(absl::string_view in, std::string* out);

 private:
  // As many as scrapes that usually overlap; more are set up and ended.
  static constexpr size_t kKept = 4;
  z_stream* Take();
  void Give(z_stream* zs);
  static void End(z_stream* zs);

  std::mutex mu_;
  std::vector<z_stream*> kept_;
};

}  // namespace nfce

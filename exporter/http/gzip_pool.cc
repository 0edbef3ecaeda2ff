// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/gzip_pool.h"

namespace nfce {

GzipPool::~GzipPool() {
  for (z_stream* zs : kept_) End(zs);
}

absl::Status GzipPool::Compress(absl::string_view in, std::string* out) {
  z_stream* zs = Take();
  if (zs == nullptr) return absl::InternalError("deflateInit2 failed");
  const size_t start = out->size();
  out->resize(start + deflateBound(zs, in.size()));
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs->avail_in = static_cast<uInt>(in.size());
  zs->next_out = reinterpret_cast<Bytef*>(out->data() + start);
  zs->avail_out = static_cast<uInt>(out->size() - start);
  const int rc = deflate(zs, Z_FINISH);
  out->resize(start + zs->total_out);
  if (rc != Z_STREAM_END || deflateReset(zs) != Z_OK) {
    End(zs);
    return absl::InternalError("deflate failed");
  }
  Give(zs);
  return absl::OkStatus();
}

z_stream* GzipPool::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!kept_.empty()) {
      z_stream* zs = kept_.back();
      kept_.pop_back();
      return zs;
    }
  }
  auto* zs = new z_stream{};
  // 15 + 16: a gzip wrapper; level 1: metrics compress well even so, and
  // the CPU of a scrape matters more than a few hundred bytes.
  if (deflateInit2(zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    delete zs;
    return nullptr;
  }
  return zs;
}
void GzipPool::Give(z_stream* zs) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (kept_.size() < kKept) {
      kept_.push_back(zs);
      return;
    }
  }
  End(zs);
}
void GzipPool::End(z_stream* zs) {
  deflateEnd(zs);
  delete zs;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "collectors/kernel/kernel_view.h"

namespace nfce {
namespace {

// SLUB's per-cache sysfs directory: a handful of small files instead of
// /proc/slabinfo, which the kernel formats for every cache on each read.
absl::StatusOr<SlabCache> ReadSysfsCache(FileCache& files,
                                         const std::string& dir,
                                         absl::string_view name) {
  SlabCache c;
  c.name = std::string(name);
  uint64_t order = 0;
  std::pair<const char*, uint64_t*> fields[] = {
      {"objects", &c.active_objs}, {"total_objects", &c.num_objs},
      {"slab_size", &c.objsize},   {"objs_per_slab", &c.objperslab},
      {"slabs", &c.num_slabs},     {"order", &order}};
  for (auto [file, dest] : fields) {
    std::string path = absl::StrCat(dir, "/", file);
    absl::StatusOr<std::string> text = files.Read(path);
    if (!text.ok()) return text.status();
    absl::StatusOr<uint64_t> v = ParseSlabAttribute(*text);
    if (!v.ok()) return Prefixed(v.status(), path);
    *dest = *v;
  }
  if (order > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, "/order: ", order, " is not a page order"));
  }
  c.pagesperslab = uint64_t{1} << order;
  c.active_slabs = c.num_slabs;
  return c;
}

}  // namespace

absl::StatusOr<std::vector<SlabCache>> KernelView::SlabCaches() const {
  absl::StatusOr<std::vector<SlabCache>> caches;
  for (absl::string_view name : {"nf_conntrack", "ip_conntrack"}) {
    std::string dir = paths_.Sys(absl::StrCat("kernel/slab/", name));
    // Read first (through kept descriptors), stat() the directory only when
    // that fails: a stat() would walk the path on every scrape.
    absl::StatusOr<SlabCache> cache = ReadSysfsCache(files_, dir, name);
    if (absl::IsNotFound(cache.status()) && !PathExists(dir)) continue;
    if (!cache.ok()) return cache.status();
    caches = std::vector<SlabCache>{*std::move(cache)};
    break;
  }
  if (!caches.ok() || caches->empty()) {
    // SLAB kernels, and SLUB before 4.7 with one cache per namespace.
    std::string file = paths_.Proc("slabinfo");
    absl::StatusOr<std::string> text = files_.Read(file);
    if (!text.ok()) return text.status();
    caches = ParseSlabinfo(*text);
    if (!caches.ok()) return Prefixed(caches.status(), file);
    if (caches->empty()) {
      return absl::NotFoundError(
          absl::StrCat(file, ": no nf_conntrack or ip_conntrack cache"));
    }
  }
  const uint64_t page_size = PageSize();
  for (SlabCache& c : *caches) c.page_size = page_size;
  return caches;
}

// AT_PAGESZ of <procfs>/self/auxv (so that a tree from a 64 KiB-page arm64
// or ppc64le kernel reads right anywhere), else this machine's. A kernel's
// page size never changes: read once.
uint64_t KernelView::PageSize() const {
  absl::call_once(page_size_once_, [this] {
    page_size_ = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    if (auto auxv = ReadFileToString(paths_.Proc("self/auxv"), 4096);
        auxv.ok()) {
      page_size_ = ParseAuxvPageSize(*auxv).value_or(page_size_);
    }
  });
  return page_size_;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/slab.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "collectors/families.h"
#include "collectors/file_reader.h"
#include "collectors/slab_parser.h"
#include "collectors/table.h"

namespace nfce {
namespace {

// SLUB's per-cache sysfs directory: a handful of small files instead of
// /proc/slabinfo, which the kernel formats for every cache on each read.
absl::StatusOr<SlabCache> ReadSysfsCache(const std::string& dir,
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
    absl::StatusOr<std::string> text = SharedFileCache().Read(path);
    if (!text.ok()) return text.status();
    absl::StatusOr<uint64_t> v = ParseSlabAttribute(*text);
    if (!v.ok()) {
      return Prefixed(v.status(), path);
    }
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

absl::StatusOr<std::vector<SlabCache>> ReadCaches(const Paths& paths) {
  for (absl::string_view name : {"nf_conntrack", "ip_conntrack"}) {
    std::string dir = paths.Sys(absl::StrCat("kernel/slab/", name));
    // Read first (through kept descriptors), stat() the directory only when
    // that fails: a stat() would walk the path on every scrape.
    absl::StatusOr<SlabCache> cache = ReadSysfsCache(dir, name);
    if (absl::IsNotFound(cache.status()) && !PathExists(dir)) continue;
    if (!cache.ok()) return cache.status();
    return std::vector<SlabCache>{*std::move(cache)};
  }
  // SLAB kernels, and SLUB before 4.7 with one cache per namespace.
  std::string file = paths.Proc("slabinfo");
  absl::StatusOr<std::string> text = SharedFileCache().Read(file);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<SlabCache>> caches = ParseSlabinfo(*text);
  if (!caches.ok()) {
    return Prefixed(caches.status(), file);
  }
  if (caches->empty()) {
    return absl::NotFoundError(
        absl::StrCat(file, ": no nf_conntrack or ip_conntrack cache"));
  }
  return caches;
}

// The page size of the kernel behind `paths`: AT_PAGESZ of <procfs>/self/
// auxv (so that a tree from a 64 KiB-page arm64 or ppc64le kernel reads
// right anywhere), else this machine's. A kernel's page size never changes:
// read once per procfs.
uint64_t PageSize(const Paths& paths) {
  static std::mutex mu;
  static auto* known = new std::map<std::string, uint64_t>();
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = known->find(paths.procfs); it != known->end()) {
    return it->second;
  }
  uint64_t size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (auto auxv = ReadFileToString(paths.Proc("self/auxv"), 4096); auxv.ok()) {
    size = ParseAuxvPageSize(*auxv).value_or(size);
  }
  (*known)[paths.procfs] = size;
  return size;
}

}  // namespace

absl::StatusOr<std::vector<SlabCache>> ReadConntrackCaches(const Paths& paths) {
  absl::StatusOr<std::vector<SlabCache>> caches = ReadCaches(paths);
  if (caches.ok()) {
    const uint64_t page_size = PageSize(paths);
    for (SlabCache& c : *caches) c.page_size = page_size;
  }
  return caches;
}

uint64_t ObjectSize(const std::vector<SlabCache>& caches) {
  uint64_t size = 0;
  for (const SlabCache& c : caches) {
    if (c.name == "nf_conntrack" || c.name == "ip_conntrack") return c.objsize;
    size = std::max(size, c.objsize);
  }
  return size;
}

double SlabBytes(const SlabCache& c) {
  return static_cast<double>(c.num_slabs) *
         static_cast<double>(c.pagesperslab) * static_cast<double>(c.page_size);
}

double MemoryLimitBytes(uint64_t limit, uint64_t buckets, uint64_t objsize) {
  return static_cast<double>(limit) * static_cast<double>(objsize) +
         static_cast<double>(buckets) * static_cast<double>(sizeof(void*));
}

absl::Status SlabCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  absl::StatusOr<std::vector<SlabCache>> caches = ReadConntrackCaches(paths_);

  out->push_back(SingleGauge(
      "nf_conntrack_slabinfo_readable",
      absl::StrCat("1 if the conntrack slab cache was read (/sys/kernel/slab "
                   "or /proc/slabinfo, root only). 0: the slab metrics are "
                   "missing and "
                   "nf_conntrack_memory_limit_bytes assumes ",
                   kDefaultConntrackObjectSize, "-byte objects."),
      caches.ok() ? 1 : 0));

  uint64_t objsize = kDefaultConntrackObjectSize;
  if (caches.ok()) {
    auto objects = GaugeFamily("nf_conntrack_slab_objects",
                               "Objects allocated in the slab cache.");
    auto active = GaugeFamily("nf_conntrack_slab_objects_active",
                              "Objects in use in the slab cache.");
    auto size = GaugeFamily("nf_conntrack_slab_object_size_bytes",
                            "Size of one object in the slab cache, aligned.");
    auto bytes = GaugeFamily(
        "nf_conntrack_slab_bytes",
        "Memory held by the slab cache: slabs x pages per slab x page size.");
    for (const SlabCache& c : *caches) {
      LabelPairs labels = {{"cache", c.name}};
      AddSample(&objects, static_cast<double>(c.num_objs), labels);
      AddSample(&active, static_cast<double>(c.active_objs), labels);
      AddSample(&size, static_cast<double>(c.objsize), labels);
      AddSample(&bytes, SlabBytes(c), labels);
    }
    for (auto* f : {&objects, &active, &size, &bytes}) {
      out->push_back(std::move(*f));
    }
    objsize = ObjectSize(*caches);
  }

  const absl::StatusOr<TableLimits>& table = TableLimitsOf(paths_, ctx);
  if (table.ok() && table->buckets.ok()) {
    out->push_back(SingleGauge(
        "nf_conntrack_memory_limit_bytes",
        "Kernel memory a table filled to its limit costs: limit x slab object "
        "size + buckets x pointer size (connection extensions not included).",
        MemoryLimitBytes(table->limit, *table->buckets, objsize)));
  }
  if (!caches.ok()) return caches.status();
  if (!table.ok()) return table.status();
  return table->buckets.status();
}

}  // namespace nfce

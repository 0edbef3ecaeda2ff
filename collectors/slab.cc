// SPDX-License-Identifier: Apache-2.0
#include "collectors/slab.h"

#include "absl/strings/str_cat.h"
#include "collectors/families.h"

namespace nfce {

absl::Status SlabCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  absl::StatusOr<std::vector<SlabCache>> caches = ctx.view.SlabCaches();

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

  const absl::StatusOr<TableLimits>& table = ctx.Limits();
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

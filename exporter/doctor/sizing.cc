// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "collectors/parse/slab_parser.h"
#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/steps.h"

namespace nfce {
namespace {

uint64_t NextPow2(uint64_t v) {
  uint64_t p = 1;
  while (p < v && p < (uint64_t{1} << 62)) p <<= 1;
  return p;
}

Finding Note(FindingDetails details) {
  return Finding{Severity::kNote, std::move(details), {}};
}

// Where and how the buckets persist: modprobe.d for a module, the kernel
// command line (and sysctl.d) when conntrack is built in.
void PersistBuckets(const HostFacts& f, Recommendation* r) {
  const bool legacy = f.flavor == ConntrackFlavor::kLegacyIpConntrack;
  const std::string module(ModuleName(f.flavor));
  if (legacy) {
    r->steps.push_back({Step::Where::kHost, true,
                        absl::StrCat("/etc/modprobe.conf: options ", module,
                                     " hashsize=", r->buckets)});
  } else if (f.conntrack_builtin == true) {
    r->notes.push_back(Note(finding::BuiltinHashsize{r->buckets}));
    r->steps.push_back({Step::Where::kBoot, true,
                        absl::StrCat("nf_conntrack.hashsize=", r->buckets)});
    if (f.buckets_sysctl_writable) {
      r->steps.push_back(
          {Step::Where::kHost, true,
           absl::StrCat("/etc/sysctl.d/90-conntrack.conf: ",
                        SysctlName(f.flavor, "buckets"), " = ", r->buckets)});
    }
  } else {
    r->steps.push_back(
        {Step::Where::kHost, true,
         absl::StrCat("/etc/modprobe.d/nf_conntrack.conf: options ", module,
                      " hashsize=", r->buckets)});
    if (!f.conntrack_builtin.has_value()) {
      r->notes.push_back(
          Note(finding::ModuleOrBuiltinUnknown{module, r->buckets}));
    }
  }
}

}  // namespace

uint64_t SeedLimit(uint64_t ram_bytes, int pointer_size) {
  return ram_bytes / 16384 / (pointer_size >= 8 ? 2 : 1);
}

Recommendation Recommend(const HostFacts& f) {
  Recommendation r;
  const uint64_t object_size =
      f.object_size.value_or(kDefaultConntrackObjectSize);
  // Room for twice today's load, and never below the classic rule for this
  // much memory, as a power of two. Never 0: 6.19 rejects it.
  uint64_t wanted = NextPow2(std::max<uint64_t>(
      {2 * f.entries.value_or(0), SeedLimit(f.ram_bytes, f.pointer_size),
       uint64_t{65536}}));
  r.limit_already_enough = f.limit && *f.limit != 0 && *f.limit >= wanted;
  r.limit = r.limit_already_enough ? *f.limit : wanted;
  r.buckets = NextPow2(r.limit);  // 1 : 1, the default since 5.15
  r.memory_bytes =
      MemoryLimitBytes(r.limit, r.buckets, object_size, f.pointer_size);
  r.current_memory_bytes = MemoryLimitBytes(
      f.limit.value_or(0), f.buckets.value_or(0), object_size, f.pointer_size);
  r.ram_share = f.ram_bytes ? r.memory_bytes / f.ram_bytes : 0;
  r.over_memory_budget = r.ram_share > kMemoryBudget;

  const bool legacy = f.flavor == ConntrackFlavor::kLegacyIpConntrack;
  const bool grow_buckets = f.buckets.value_or(0) < r.buckets;
  if (f.netns_initial == false)
    r.notes.push_back(Note(finding::ChildNamespace{}));
  if (!r.limit_already_enough) {
    r.steps.push_back({Step::Where::kHost, false,
                       absl::StrCat("sysctl -w ", SysctlName(f.flavor, "max"),
                                    "=", r.limit)});
    if (f.kube_proxy) {
      const int cpus = std::max(f.cpus, 1);
      r.notes.push_back(Note(finding::KubeProxyOwnsLimit{f.cpus}));
      r.steps.push_back(
          {Step::Where::kKubeProxy, true,
           absl::StrCat("conntrack.maxPerCore: ",
                        (r.limit + cpus - 1) / static_cast<uint64_t>(cpus),
                        " (flag --conntrack-max-per-core)")});
      r.steps.push_back({Step::Where::kKubeProxy, true,
                         absl::StrCat("conntrack.min: ", r.limit,
                                      " (flag --conntrack-min)")});
    } else {
      r.steps.push_back(
          {Step::Where::kHost, true,
           absl::StrCat(
               legacy ? "/etc/sysctl.conf" : "/etc/sysctl.d/90-conntrack.conf",
               ": ", SysctlName(f.flavor, "max"), " = ", r.limit)});
    }
  }
  if (grow_buckets) {
    if (!legacy && f.buckets_sysctl_writable) {
      r.steps.push_back(
          {Step::Where::kHost, false,
           absl::StrCat("sysctl -w ", SysctlName(f.flavor, "buckets"), "=",
                        r.buckets)});
    } else {
      r.steps.push_back(
          {Step::Where::kHost, false,
           absl::StrCat("echo ", r.buckets, " > /sys/module/",
                        ModuleName(f.flavor), "/parameters/hashsize")});
    }
    PersistBuckets(f, &r);
  }
  if (!legacy && f.conntrack_builtin == false &&
      (!r.limit_already_enough || grow_buckets)) {
    // systemd-sysctl runs before a module that loads on first use: its
    // net.netfilter lines would fail silently.
    r.steps.push_back({Step::Where::kHost, true,
                       "/etc/modules-load.d/nf_conntrack.conf: nf_conntrack"});
    r.notes.push_back(Note(finding::ModuleLoadOrder{}));
  }
  return r;
}

}  // namespace nfce

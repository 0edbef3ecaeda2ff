// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/stat_netlink.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "collectors/kernel/netlink_socket.h"
#include "collectors/parse/counters.h"

namespace nfce {
namespace {

// Large enough for both messages' attributes (CTA_STATS_MAX and
// CTA_STATS_EXP_MAX).
constexpr int kMaxAttribute = std::max(CTA_STATS_MAX, CTA_STATS_EXP_MAX);
using CpuValues = std::array<std::optional<uint32_t>, kMaxAttribute + 1>;

struct DumpState {
  int max_attribute = CTA_STATS_MAX;
  // Per CPU: the value of each attribute, or nothing where it was not sent.
  std::vector<std::pair<int, CpuValues>> cpus;
};

struct AttributeSink {
  int max_attribute;
  CpuValues* values;
};

int AttributeCallback(const nlattr* attr, void* data) {
  auto* sink = static_cast<AttributeSink*>(data);
  int type = mnl_attr_get_type(attr);
  if (type <= 0 || type > sink->max_attribute) return MNL_CB_OK;  // newer
  if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) return MNL_CB_ERROR;
  (*sink->values)[type] = ntohl(mnl_attr_get_u32(attr));
  return MNL_CB_OK;
}

int MessageCallback(const nlmsghdr* nlh, void* data) {
  auto* state = static_cast<DumpState*>(data);
  const auto* nfg = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
  auto& entry = state->cpus.emplace_back();
  entry.first = ntohs(nfg->res_id);
  AttributeSink sink{state->max_attribute, &entry.second};
  return mnl_attr_parse(nlh, sizeof(nfgenmsg), AttributeCallback, &sink);
}

// One dump of per-CPU statistics: the conntrack ones or the expectation
// ones (one message per possible CPU, its number in res_id).
absl::StatusOr<DumpState> DumpPerCpu(uint8_t subsystem, uint8_t message,
                                     int max_attribute) {
  DumpState state;
  state.max_attribute = max_attribute;
  absl::Status status =
      CtnetlinkDump(message, MessageCallback, &state,
                    absl::Now() + absl::Seconds(5), subsystem);
  if (!status.ok()) return status;
  if (state.cpus.empty()) {
    return absl::UnavailableError(absl::StrCat(
        "ctnetlink ", subsystem == NFNL_SUBSYS_CTNETLINK_EXP ? "EXP_" : "CT_",
        "GET_STATS_CPU returned no CPUs"));
  }
  return state;
}

// Appends to `snap` the counters of `state` the kernel sent, in attribute
// order; `counter_of` maps an attribute to its counter. CPUs are matched by
// number: the two dumps list the same possible CPUs.
void Append(const DumpState& state,
            const CounterInfo* (*counter_of)(int attribute),
            StatSnapshot* snap) {
  std::vector<int> present;
  for (int a = 1; a <= state.max_attribute; ++a) {
    bool sent = std::any_of(state.cpus.begin(), state.cpus.end(),
                            [a](const auto& c) { return c.second[a]; });
    const CounterInfo* counter = counter_of(a);
    if (sent && counter != nullptr) {
      present.push_back(a);
      snap->names.emplace_back(counter->name);
    }
  }
  for (const auto& [id, values] : state.cpus) {
    auto cpu = std::find_if(snap->cpus.begin(), snap->cpus.end(),
                            [id = id](const auto& c) { return c.id == id; });
    if (cpu == snap->cpus.end()) {
      cpu = snap->cpus.insert(snap->cpus.end(), StatSnapshot::Cpu{id, {}});
    }
    for (int a : present) cpu->values.push_back(values[a].value_or(0));
  }
  // A CPU the second dump did not list reads 0 there.
  for (auto& cpu : snap->cpus) cpu.values.resize(snap->names.size(), 0);
}

}  // namespace

absl::StatusOr<StatSnapshot> QueryCtnetlinkStats() {
  absl::StatusOr<DumpState> conntrack = DumpPerCpu(
      NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET_STATS_CPU, CTA_STATS_MAX);
  if (!conntrack.ok()) return conntrack.status();
  // The expectation counters come in their own message; with them the
  // counters are the same whichever source is read.
  absl::StatusOr<DumpState> expect =
      DumpPerCpu(NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP_GET_STATS_CPU,
                 CTA_STATS_EXP_MAX);
  if (!expect.ok()) return expect.status();

  StatSnapshot snap;
  Append(*conntrack, CounterOfAttribute, &snap);
  Append(*expect, CounterOfExpectAttribute, &snap);
  return snap;
}

}  // namespace nfce

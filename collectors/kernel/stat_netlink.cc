// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/stat_netlink.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <algorithm>
#include <array>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "collectors/kernel/netlink_socket.h"
#include "collectors/parse/counters.h"

namespace nfce {
namespace {

struct DumpState {
  // Per CPU: the value of each attribute, or nothing where it was not sent.
  std::vector<
      std::pair<int, std::array<std::optional<uint32_t>, CTA_STATS_MAX + 1>>>
      cpus;
};

int AttributeCallback(const nlattr* attr, void* data) {
  auto* values =
      static_cast<std::array<std::optional<uint32_t>, CTA_STATS_MAX + 1>*>(
          data);
  int type = mnl_attr_get_type(attr);
  if (type <= 0 || type > CTA_STATS_MAX) return MNL_CB_OK;  // newer kernel
  if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) return MNL_CB_ERROR;
  (*values)[type] = ntohl(mnl_attr_get_u32(attr));
  return MNL_CB_OK;
}

int MessageCallback(const nlmsghdr* nlh, void* data) {
  auto* state = static_cast<DumpState*>(data);
  const auto* nfg = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
  auto& entry = state->cpus.emplace_back();
  entry.first = ntohs(nfg->res_id);
  return mnl_attr_parse(nlh, sizeof(nfgenmsg), AttributeCallback,
                        &entry.second);
}

}  // namespace

absl::StatusOr<StatSnapshot> QueryCtnetlinkStats() {
  DumpState state;
  absl::Status status =
      CtnetlinkDump(IPCTNL_MSG_CT_GET_STATS_CPU, MessageCallback, &state,
                    absl::Now() + absl::Seconds(5));
  if (!status.ok()) return status;
  if (state.cpus.empty()) {
    return absl::UnavailableError("ctnetlink GET_STATS_CPU returned no CPUs");
  }

  // Export the union of attributes the kernel sent, in attribute order.
  StatSnapshot snap;
  std::vector<int> present;
  for (int a = 1; a <= CTA_STATS_MAX; ++a) {
    bool sent = std::any_of(state.cpus.begin(), state.cpus.end(),
                            [a](const auto& c) { return c.second[a]; });
    const CounterInfo* counter = CounterOfAttribute(a);
    if (sent && counter != nullptr) {
      present.push_back(a);
      snap.names.emplace_back(counter->name);
    }
  }
  for (const auto& [id, values] : state.cpus) {
    StatSnapshot::Cpu cpu;
    cpu.id = id;
    for (int a : present) cpu.values.push_back(values[a].value_or(0));
    snap.cpus.push_back(std::move(cpu));
  }
  return snap;
}

}  // namespace nfce

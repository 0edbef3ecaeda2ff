// SPDX-License-Identifier: Apache-2.0
#include "exporter/doctor/steps.h"

#include "absl/strings/str_cat.h"

namespace nfce {

const std::array<WhereInfo, 4>& Wheres() {
  // In the order a report lists them.
  static constexpr std::array<WhereInfo, 4> kWheres = {{
      {Step::Where::kHost, "host", "on the host (initial network namespace)"},
      {Step::Where::kNamespace, "namespace", "in this network namespace"},
      {Step::Where::kBoot, "kernel-command-line", "on the kernel command line"},
      {Step::Where::kKubeProxy, "kube-proxy", "in kube-proxy's configuration"},
  }};
  return kWheres;
}

const WhereInfo& Where(Step::Where where) {
  for (const WhereInfo& w : Wheres()) {
    if (w.where == where) return w;
  }
  return Wheres()[0];
}

std::string SysctlName(ConntrackFlavor flavor, absl::string_view suffix) {
  return flavor == ConntrackFlavor::kLegacyIpConntrack
             ? absl::StrCat("net.ipv4.netfilter.ip_conntrack_", suffix)
             : absl::StrCat("net.netfilter.nf_conntrack_", suffix);
}

void SetSysctl(const HostFacts& f, absl::string_view suffix, uint64_t value,
               std::vector<Step>* steps) {
  const std::string name = SysctlName(f.flavor, suffix);
  steps->push_back({Step::Where::kNamespace, false,
                    absl::StrCat("sysctl -w ", name, "=", value)});
  steps->push_back(
      {Step::Where::kNamespace, true,
       f.netns_initial == false
           ? absl::StrCat("the container's sysctls (docker run --sysctl ", name,
                          "=", value, ", or a Pod's securityContext.sysctls)")
           : absl::StrCat(f.flavor == ConntrackFlavor::kLegacyIpConntrack
                              ? "/etc/sysctl.conf"
                              : "/etc/sysctl.d/90-conntrack.conf",
                          ": ", name, " = ", value)});
}

void NotrackUdpPort(int port, std::vector<Step>* steps) {
  steps->push_back(
      {Step::Where::kNamespace, false, "nft add table inet conntrack_notrack"});
  steps->push_back({Step::Where::kNamespace, false,
                    "nft add chain inet conntrack_notrack pre '{ type filter "
                    "hook prerouting priority raw; }'"});
  steps->push_back({Step::Where::kNamespace, false,
                    "nft add chain inet conntrack_notrack out '{ type filter "
                    "hook output priority raw; }'"});
  for (const char* chain : {"pre", "out"}) {
    for (const char* dir : {"dport", "sport"}) {
      steps->push_back(
          {Step::Where::kNamespace, false,
           absl::StrCat("nft add rule inet conntrack_notrack ", chain, " udp ",
                        dir, " ", port, " notrack")});
    }
  }
  steps->push_back({Step::Where::kNamespace, true,
                    "/etc/nftables.conf: the same table, so that it survives "
                    "a reboot"});
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/doctor.h"
#include "exporter/doctor/render/render.h"
#include "exporter/flags/flag_table.h"

namespace nfce {
namespace {

// sysexits.h's EX_USAGE: apart from the verdicts 0-3.
constexpr int kExitUsage = 64;

struct DoctorFlags {
  Paths paths;
  bool json = false;
  bool flows = true;
  bool namespaces = true;
  int snat_ports = kKernelSnatPorts;
  bool help = false;
};

std::vector<FlagGroup> DoctorFlagTable(DoctorFlags* o) {
  return {
      {"Report",
       {ChoiceFlag<bool>("output", &o->json, {{"text", false}, {"json", true}},
                         "text for people, json for scripts (docs/doctor.md "
                         "lists its keys and finding codes)."),
        BoolFlag("flows", &o->flows,
                 "Dump the table once to say what fills it (needs "
                 "CAP_NET_ADMIN and the running kernel)."),
        BoolFlag("namespaces", &o->namespaces,
                 "Name the host's network namespaces (hostname, pod, "
                 "container, addresses) to say who the addresses it lists "
                 "are (needs CAP_SYS_ADMIN and the host's PID namespace)."),
        IntFlag("snat-ports", &o->snat_ports, 1, 65535,
                "Source ports one source-NAT tuple can use: the kernel's "
                "1024-65535 when the rule names no range, else the range's "
                "size (as --collector.flows.snat-ports).")}},
      {"Paths",
       {StringFlag("path.procfs", &o->paths.procfs,
                   "procfs mount point (e.g. /host/proc in a container); a "
                   "tree of files is read as it is, without a dump."),
        StringFlag("path.sysfs", &o->paths.sysfs, "sysfs mount point."),
        StringFlag("kernel-log", &o->paths.kmsg,
                   "The kernel log to look for 'table full' lines in: the "
                   "kernel's own, or a saved log (\"\": none). Named and "
                   "unreadable, it makes the verdict UNKNOWN.")}},
      {"Other", {ActionFlag("help", &o->help, "Show this help.")}},
  };
}

std::string DoctorHelp() {
  DoctorFlags o;
  return absl::StrCat(
      "usage: nf_conntrack_exporter doctor [<flags>]\n\n",
      Wrap("Diagnoses this host's connection tracking table, says what fills "
           "it (from one table dump) and prints the commands that fix it on "
           "this host: where they apply (host, this network namespace, kernel "
           "command line, kube-proxy) and how to keep them. Read-only. Exit "
           "status, as a Nagios/Icinga check: 0 OK, 1 WARNING, 2 CRITICAL, 3 "
           "UNKNOWN (a fact it needs could not be read: never OK about data "
           "it could not read); 64 bad usage.",
           0),
      FlagTableHelp(DoctorFlagTable(&o)));
}

}  // namespace

int DoctorMain(const std::vector<std::string>& args) {
  DoctorFlags o;
  absl::StatusOr<std::set<std::string>> given =
      ParseFlagTable(DoctorFlagTable(&o), args);
  if (!given.ok()) {
    std::fprintf(stderr, "doctor: %s\n",
                 std::string(given.status().message()).c_str());
    return kExitUsage;
  }
  if (o.help) {
    std::fputs(DoctorHelp().c_str(), stdout);
    return 0;
  }
  const KernelView view(o.paths);
  GatherOptions gather;
  gather.dump_flows = o.flows;
  gather.snat_ports = o.snat_ports;
  gather.name_namespaces = o.namespaces ? 256 : 0;
  gather.kernel_log_required =
      given->count("kernel-log") > 0 && !o.paths.kmsg.empty();
  HostFacts facts = GatherFacts(view, gather);
  Diagnosis d = Diagnose(facts);
  std::string report = o.json ? RenderJson(facts, d) : RenderText(facts, d);
  std::fputs(report.c_str(), stdout);
  return static_cast<int>(d.verdict);
}

}  // namespace nfce

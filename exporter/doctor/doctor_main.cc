// SPDX-License-Identifier: Apache-2.0
#include <cstdio>

#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "exporter/doctor/doctor.h"

namespace nfce {
namespace {

// sysexits.h's EX_USAGE: apart from the verdicts 0-3.
constexpr int kExitUsage = 64;

}  // namespace

int DoctorMain(const std::vector<std::string>& args) {
  DoctorOptions o;
  for (const std::string& a : args) {
    absl::string_view v = a;
    if (absl::ConsumePrefix(&v, "--path.procfs=")) {
      o.paths.procfs = std::string(v);
    } else if (absl::ConsumePrefix(&v, "--path.sysfs=")) {
      o.paths.sysfs = std::string(v);
    } else if (absl::ConsumePrefix(&v, "--kernel-log=")) {
      o.kernel_log = std::string(v);
      o.kernel_log_given = !v.empty();
    } else if (a == "--output=json") {
      o.json = true;
    } else if (a == "--output=text") {
      o.json = false;
    } else if (a == "--no-flows") {
      o.dump_flows = false;
    } else if (a == "-h" || a == "--help") {
      std::fputs(
          "usage: nf_conntrack_exporter doctor [--output=text|json]\n"
          "           [--path.procfs=/proc] [--path.sysfs=/sys]\n"
          "           [--kernel-log=/dev/kmsg] [--no-flows]\n\n"
          "Diagnoses this host's connection tracking table, says what fills\n"
          "it (from one table dump: needs CAP_NET_ADMIN; --no-flows skips\n"
          "it) and prints the commands that fix it on this host: where they\n"
          "apply (host, this network namespace, kernel command line,\n"
          "kube-proxy) and how to keep them. Read-only. Exit status, as a\n"
          "Nagios/Icinga check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a\n"
          "fact it needs could not be read: never OK about data it could\n"
          "not read); 64 bad usage.\n",
          stdout);
      return 0;
    } else {
      std::fprintf(stderr, "doctor: unknown argument %s (see doctor --help)\n",
                   a.c_str());
      return kExitUsage;
    }
  }
  HostFacts facts = GatherFacts(o);
  Diagnosis d = Diagnose(facts);
  std::string report = o.json ? RenderJson(facts, d) : RenderText(facts, d);
  std::fputs(report.c_str(), stdout);
  return static_cast<int>(d.verdict);
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/flags/exporter_flags.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "exporter/flags/collector_registry.h"
#include "exporter/flags/flag_table.h"

namespace nfce {
namespace {

// The path must not shadow the status page or the probes, and must be a
// plain path (no query, fragment or space to confuse a proxy).
absl::Status CheckTelemetryPath(absl::string_view path) {
  if (!absl::StartsWith(path, "/") || path == "/" ||
      absl::StartsWith(path, "/-/") ||
      path.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
                             "VWXYZ0123456789/-._~") !=
          absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--web.telemetry-path must be a path of letters, digits and /-._~ "
        "that starts with /, is not / (the status page) and is not under /-/ "
        "(the probes), not \"",
        path, "\""));
  }
  return absl::OkStatus();
}

// Every flag of the exporter, bound to `o` (whose values are the defaults).
// `disable_defaults` receives --collector.disable-defaults.
std::vector<FlagGroup> ExporterFlags(Options* o, bool* disable_defaults) {
  HttpOptions& http = o->http;
  std::vector<FlagGroup> groups = {
      {"Web",
       {StringListFlag(
            "web.listen-address", &http.listen_addresses,
            "Address to listen on: [host]:port. :19372 or [::]:19372 is "
            "every address, IPv4 and IPv6 (IPv4 only where the kernel has no "
            "IPv6); 127.0.0.1:19372, [::1]:19372 or [2001:db8::1]:19372 one "
            "address. Repeat the flag to listen on several."),
        StringFlag("web.telemetry-path", &http.telemetry_path,
                   "Path under which the metrics are served.",
                   CheckTelemetryPath),
        IntFlag("web.max-requests", &http.max_requests, 0, 100000,
                "Most scrapes of the telemetry path handled in parallel; "
                "beyond it the path answers 503 at once (0: no limit), as in "
                "node_exporter."),
        IntFlag("web.max-connections", &http.max_connections, 1, 4096,
                "Connections served at once, each on a thread of its own "
                "while it is open (a kept-alive one for up to 2 minutes idle, "
                "a slow one for up to the request timeout); more wait in a "
                "queue. Room for slow or idle clients besides Prometheus."),
        DurationFlag("web.request-timeout", &http.request_timeout,
                     absl::Milliseconds(100), absl::Minutes(10),
                     "A client that sends or reads nothing for this long is "
                     "cut off."),
        DurationFlag("web.status.sample-interval", &o->status_sample_interval,
                     absl::Milliseconds(100), absl::InfiniteDuration(),
                     "How often the status page's one-hour chart samples the "
                     "table."),
        StringFlag("web.config.file", &o->web_config_file,
                   "TLS, basic authentication and response headers, in the "
                   "Prometheus exporter-toolkit format. A bad file is refused "
                   "at start.")}},
      {"Paths",
       {StringFlag("path.procfs", &o->paths.procfs,
                   "procfs mount point (e.g. /host/proc in a container)."),
        StringFlag("path.sysfs", &o->paths.sysfs, "sysfs mount point.")}},
  };
  FlagGroup collectors{"Collectors", {}};
  for (const CollectorEntry& c : KnownCollectors()) {
    bool* on = &o->collectors[std::string(c.name)];
    *on = c.default_enabled;
    collectors.flags.push_back(
        BoolFlag(absl::StrCat("collector.", c.name), on,
                 absl::StrCat(c.help, ". Needs: ", c.privileges, ".")));
    for (FlagSpec& f : c.flags(o)) collectors.flags.push_back(std::move(f));
  }
  collectors.flags.push_back(BoolFlag(
      "collector.disable-defaults", disable_defaults,
      "Turn off every collector not named by a --collector.<name> flag."));
  groups.push_back(std::move(collectors));
  groups.push_back(
      {"Logging",
       {ChoiceFlag<LogLevel>("log.level", &o->log_level, LogLevelNames(),
                             "The least severe level logged (logfmt on "
                             "stderr): debug, info, warn or error.")}});
  groups.push_back({"Other",
                    {ActionFlag("help", &o->show_help, "Show this help."),
                     ActionFlag("version", &o->show_version,
                                "Show the version and exit.")}});
  return groups;
}

}  // namespace

absl::StatusOr<Options> ParseFlags(const std::vector<std::string>& args) {
  Options o;
  bool disable_defaults = false;
  const std::vector<FlagGroup> flags = ExporterFlags(&o, &disable_defaults);
  absl::StatusOr<std::set<std::string>> given = ParseFlagTable(flags, args);
  if (!given.ok()) return given.status();
  if (disable_defaults) {
    for (auto& [name, enabled] : o.collectors) {
      if (!given->count(absl::StrCat("collector.", name))) enabled = false;
    }
  }
  return o;
}

std::string HelpText(const std::string& program) {
  Options o;
  bool disable_defaults = false;
  return absl::StrCat(
      "usage: ", program, " [<flags>]\n", "       ", program,
      " doctor [<flags>]   (see doctor --help)\n\n",
      Wrap("Prometheus exporter for the Linux connection tracking table "
           "(nf_conntrack): entries against the limit, hash buckets, drop "
           "counters, slab memory, timeouts. Read-only: it never writes a "
           "sysctl, flushes an entry or loads a module.",
           0),
      FlagTableHelp(ExporterFlags(&o, &disable_defaults)));
}

}  // namespace nfce

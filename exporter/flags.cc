// SPDX-License-Identifier: Apache-2.0
#include "exporter/flags.h"

#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "exporter/collector_registry.h"

namespace nfce {
namespace {

constexpr absl::string_view kCollectorPrefix = "collector.";

absl::StatusOr<bool> ParseBool(absl::string_view name,
                               absl::string_view value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return absl::InvalidArgumentError(
      absl::StrCat("--", name, " takes true or false, not \"", value, "\""));
}

bool IsCollectorName(absl::string_view name) {
  for (const CollectorInfo& info : KnownCollectors()) {
    if (name == info.name) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<Options> ParseFlags(const std::vector<std::string>& args) {
  Options o;
  for (const CollectorInfo& info : KnownCollectors()) {
    o.collectors[std::string(info.name)] = info.default_enabled;
  }
  std::string stat_source = "auto";
  std::string log_level = "info";
  std::string max_requests = "40";
  std::string max_connections = "256";
  std::string timeouts_max_age = "1m";
  std::string request_timeout = "10s";
  std::string status_sample_interval = "10s";
  std::string flows_interval = "30s";
  std::string flows_budget = "10s";
  std::string flows_max_zones = "16";
  std::string flows_top = "10";
  std::string events_buffer = "8388608";
  std::string netns_max = "64";
  bool disable_defaults = false;
  std::set<std::string> set_explicitly;

  const std::map<absl::string_view, std::string*> values = {
      {"web.listen-address", &o.listen_address},
      {"web.telemetry-path", &o.telemetry_path},
      {"web.max-requests", &max_requests},
      {"web.max-connections", &max_connections},
      {"web.request-timeout", &request_timeout},
      {"web.config.file", &o.web_config_file},
      {"web.status.sample-interval", &status_sample_interval},
      {"path.procfs", &o.paths.procfs},
      {"path.sysfs", &o.paths.sysfs},
      {"collector.stat.source", &stat_source},
      {"collector.timeouts.max-age", &timeouts_max_age},
      {"collector.flows.interval", &flows_interval},
      {"collector.flows.budget", &flows_budget},
      {"collector.flows.max-zones", &flows_max_zones},
      {"collector.flows.top", &flows_top},
      {"collector.events.buffer-bytes", &events_buffer},
      {"collector.netns.max", &netns_max},
      {"log.level", &log_level},
  };
  const std::map<absl::string_view, bool*> bools = {
      {"collector.stat.per-cpu", &o.stat.per_cpu},
      {"collector.disable-defaults", &disable_defaults},
      {"help", &o.show_help},
      {"version", &o.show_version},
  };

  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "-h") {
      o.show_help = true;
      continue;
    }
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\" (see --help)"));
    }
    absl::string_view body = arg.substr(2);
    absl::string_view name = body;
    std::optional<absl::string_view> value;
    if (size_t eq = body.find('='); eq != absl::string_view::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
    }
    bool negated = false;
    if (absl::StartsWith(name, "no-")) {
      negated = true;
      name.remove_prefix(3);
    }

    bool* flag = nullptr;
    if (auto it = bools.find(name); it != bools.end()) {
      flag = it->second;
    } else if (absl::StartsWith(name, kCollectorPrefix) &&
               IsCollectorName(name.substr(kCollectorPrefix.size()))) {
      std::string collector(name.substr(kCollectorPrefix.size()));
      set_explicitly.insert(collector);
      flag = &o.collectors[collector];
    }
    if (flag != nullptr) {
      if (negated && value) {
        return absl::InvalidArgumentError(
            absl::StrCat("--no-", name, " takes no value"));
      }
      bool v = !negated;
      if (value) {
        absl::StatusOr<bool> parsed = ParseBool(name, *value);
        if (!parsed.ok()) return parsed.status();
        v = *parsed;
      }
      *flag = v;
      continue;
    }

    auto it = values.find(name);
    if (it == values.end() || negated) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown flag --", body.substr(0, body.find('=')), " (see --help)"));
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value"));
      }
      value = args[++i];
    }
    *it->second = std::string(*value);
  }

  if (disable_defaults) {
    for (auto& [name, enabled] : o.collectors) {
      if (!set_explicitly.count(name)) enabled = false;
    }
  }
  absl::StatusOr<StatSource> source = ParseStatSource(stat_source);
  if (!source.ok()) return source.status();
  o.stat.source = *source;
  absl::StatusOr<LogLevel> level = ParseLogLevel(log_level);
  if (!level.ok()) return level.status();
  o.log_level = *level;
  for (auto [flag, text, dest, low, high] :
       {std::make_tuple("web.max-requests", &max_requests, &o.max_requests, 0,
                        100000),
        std::make_tuple("web.max-connections", &max_connections,
                        &o.max_connections, 1, 4096),
        std::make_tuple("collector.flows.max-zones", &flows_max_zones,
                        &o.flows.max_zones, 0, 65536),
        std::make_tuple("collector.flows.top", &flows_top, &o.flows.top, 0,
                        1000),
        std::make_tuple("collector.events.buffer-bytes", &events_buffer,
                        &o.events.buffer_bytes, 4096, 1 << 30),
        std::make_tuple("collector.netns.max", &netns_max, &o.netns.max, 1,
                        100000)}) {
    // Digits only: SimpleAtoi alone takes "+8" and " 8".
    const bool digits =
        !text->empty() && text->size() <= 9 &&
        text->find_first_not_of("0123456789") == std::string::npos;
    if (!digits || !absl::SimpleAtoi(*text, dest) || *dest < low ||
        *dest > high) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", flag, " must be ", low, " to ", high, ", not \"", *text, "\""));
    }
  }
  absl::Duration request_timeout_d;
  if (!absl::ParseDuration(request_timeout, &request_timeout_d) ||
      request_timeout_d < absl::Milliseconds(100) ||
      request_timeout_d > absl::Minutes(10)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--web.request-timeout must be a duration from 100ms to 10m, not \"",
        request_timeout, "\""));
  }
  o.request_timeout_ms =
      static_cast<int>(absl::ToInt64Milliseconds(request_timeout_d));
  if (!absl::ParseDuration(timeouts_max_age, &o.timeouts_max_age) ||
      o.timeouts_max_age < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--collector.timeouts.max-age must be a duration (0 for every "
        "scrape), not \"",
        timeouts_max_age, "\""));
  }
  if (!absl::ParseDuration(status_sample_interval, &o.status_sample_interval) ||
      o.status_sample_interval < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--web.status.sample-interval must be a duration of 100ms or more, "
        "not \"",
        status_sample_interval, "\""));
  }
  for (auto [flag, text, dest] :
       {std::make_tuple("collector.flows.interval", &flows_interval,
                        &o.flows.interval),
        std::make_tuple("collector.flows.budget", &flows_budget,
                        &o.flows.budget)}) {
    if (!absl::ParseDuration(*text, dest) || *dest < absl::Seconds(1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " must be a duration of 1s or more, not \"",
                       *text, "\""));
    }
  }
  // The path must not shadow the status page or the probes, and must be a
  // plain path (no query, fragment or space to confuse a proxy).
  if (!absl::StartsWith(o.telemetry_path, "/") || o.telemetry_path == "/" ||
      absl::StartsWith(o.telemetry_path, "/-/") ||
      o.telemetry_path.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJK"
                                         "LMNOPQRSTUVWXYZ0123456789/-._~") !=
          std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--web.telemetry-path must be a path of letters, digits and /-._~ "
        "that starts with /, is not / (the status page) and is not under /-/ "
        "(the probes), not \"",
        o.telemetry_path, "\""));
  }
  return o;
}

std::string HelpText(const std::string& program) {
  std::string collectors;
  for (const CollectorInfo& info : KnownCollectors()) {
    absl::StrAppend(&collectors, "  --[no-]collector.", info.name, "  (",
                    info.default_enabled ? "on" : "off", " by default)\n",
                    "      ", info.help, ".\n      Needs: ", info.privileges,
                    ".\n");
  }
  return absl::StrCat(
      "usage: ", program, " [<flags>]\n\n",
      "Prometheus exporter for the Linux connection tracking table "
      "(nf_conntrack):\nentries against the limit, hash buckets, drop "
      "counters, slab memory, timeouts.\nRead-only: it never writes a sysctl, "
      "flushes an entry or loads a module.\n\n",
      "Web:\n"
      "  --web.listen-address=\"",
      kDefaultListenAddress, "\"\n",
      "      Address to listen on: [host]:port, e.g. :19372 (all IPv4\n"
      "      addresses) or 127.0.0.1:19372.\n"
      "  --web.telemetry-path=\"/metrics\"\n"
      "      Path under which the metrics are served.\n"
      "  --web.max-requests=40\n"
      "      Most scrapes of the telemetry path handled in parallel; beyond\n"
      "      it the path answers 503 at once (0: no limit), as in\n"
      "      node_exporter.\n"
      "  --web.max-connections=256\n"
      "      Connections served at once, each on a thread of its own while\n"
      "      it is open (a kept-alive one for up to 2 minutes idle, a slow\n"
      "      one for up to the request timeout); more wait in a queue. Room\n"
      "      for slow or idle clients besides Prometheus.\n"
      "  --web.request-timeout=10s\n"
      "      A client that sends or reads nothing for this long is cut off.\n"
      "  --web.status.sample-interval=10s\n"
      "      How often the status page's one-hour chart samples the table.\n"
      "  --web.config.file=\"\"\n"
      "      TLS, basic authentication and response headers, in the "
      "Prometheus\n"
      "      exporter-toolkit format. A bad file is refused at start.\n\n"
      "Paths:\n"
      "  --path.procfs=\"/proc\"   procfs mount point (e.g. /host/proc in a "
      "container).\n"
      "  --path.sysfs=\"/sys\"     sysfs mount point.\n\n"
      "Collectors:\n",
      collectors,
      "  --collector.disable-defaults\n"
      "      Turn off every collector not named by a --collector.<name> "
      "flag.\n\n"
      "Collector options:\n"
      "  --collector.stat.source=auto\n"
      "      auto: /proc/net/stat/nf_conntrack where it exists, else "
      "ctnetlink;\n"
      "      procfs: the file only; netlink: ctnetlink only (CAP_NET_ADMIN).\n"
      "  --[no-]collector.stat.per-cpu  (off by default)\n"
      "      Label each stat counter with its cpu instead of summing over "
      "CPUs.\n"
      "  --collector.timeouts.max-age=1m\n"
      "      Reread the timeout sysctls at most this often (0s: every "
      "scrape).\n"
      "  --collector.flows.interval=30s\n"
      "      Time between two dumps of the table (off the scrape path).\n"
      "  --collector.flows.budget=10s\n"
      "      Longest a dump may take; a longer one is abandoned.\n"
      "  --collector.flows.max-zones=16\n"
      "      Zones besides the default 0 with series of their own; the rest\n"
      "      count as zone \"other\".\n"
      "  --collector.flows.top=10\n"
      "      Top sources and destinations reported (0: none). Counted in a\n"
      "      sketch of max(4096, 64 x top) counters: exact while the\n"
      "      distinct keys fit, memory bounded whatever the table holds.\n"
      "  --collector.events.buffer-bytes=8388608\n"
      "      Receive buffer of the event socket.\n"
      "  --collector.netns.max=64\n"
      "      Network namespaces reported at most.\n\n"
      "Logging:\n"
      "  --log.level=info        debug, info, warn or error (logfmt on "
      "stderr).\n\n"
      "Other:\n"
      "  -h, --help              Show this help.\n"
      "  --version               Show the version and exit.\n");
}

}  // namespace nfce

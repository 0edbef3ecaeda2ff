// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collectors/events.h"
#include "collectors/flows.h"
#include "collectors/netns.h"
#include "collectors/paths.h"
#include "collectors/stat.h"
#include "exporter/log.h"

namespace nfce {

// Outside the exporters' 9100-9999 range (full) and below Linux's ephemeral
// ports (32768+).
inline constexpr char kDefaultListenAddress[] = ":19372";

struct Options {
  std::string listen_address = kDefaultListenAddress;
  std::string telemetry_path = "/metrics";
  int max_requests = 40;      // concurrent scrapes; 0: no limit
  int max_connections = 256;  // connections served at once (threads)
  int request_timeout_ms = 10000;
  std::string web_config_file;
  absl::Duration status_sample_interval = absl::Seconds(10);
  Paths paths;
  std::map<std::string, bool> collectors;  // every known name -> enabled
  StatOptions stat;
  absl::Duration timeouts_max_age = absl::Minutes(1);
  FlowsOptions flows;
  EventsOptions events;
  NetnsOptions netns;
  LogLevel log_level = LogLevel::kInfo;
  bool show_help = false;
  bool show_version = false;
};

// Parses flags in the Prometheus exporters' spelling: --name=value or
// --name value; booleans as --name, --no-name or --name=true|false.
absl::StatusOr<Options> ParseFlags(const std::vector<std::string>& args);

std::string HelpText(const std::string& program);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>

#include "absl/time/time.h"
#include "collectors/events.h"
#include "collectors/expect.h"
#include "collectors/flows.h"
#include "collectors/kernel/paths.h"
#include "collectors/kernel/stat_reader.h"
#include "collectors/netns.h"
#include "collectors/timeouts.h"
#include "exporter/http/http_options.h"
#include "exporter/log.h"

namespace nfce {

// Everything the exporter's flags set. Each default is written here (or in
// the option struct of its collector), once: the flag table takes it from
// there for parsing and --help.
struct Options {
  HttpOptions http;
  std::string web_config_file;
  // How often the status page's one-hour chart samples the table.
  absl::Duration status_sample_interval = absl::Seconds(10);
  Paths paths;
  std::map<std::string, bool> collectors;  // every known name -> enabled
  StatOptions stat;
  ExpectOptions expect;
  TimeoutsOptions timeouts;
  FlowsOptions flows;
  EventsOptions events;
  NetnsOptions netns;
  LogLevel log_level = LogLevel::kInfo;
  bool show_help = false;
  bool show_version = false;
};

}  // namespace nfce

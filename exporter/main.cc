// SPDX-License-Identifier: Apache-2.0
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "exporter/doctor/doctor.h"
#include "exporter/flags/collector_registry.h"
#include "exporter/flags/exporter_flags.h"
#include "exporter/http/handler.h"
#include "exporter/http/http_server.h"
#include "exporter/http/metrics_handler.h"
#include "exporter/http/web_config.h"
#include "exporter/log.h"
#include "exporter/privileges.h"
#include "exporter/runbook_html.h"
#include "exporter/scraper.h"
#include "exporter/status/history.h"
#include "exporter/status/status_page.h"
#include "exporter/version.h"

namespace {

// One malloc arena for every thread, unless the user set MALLOC_ARENA_MAX.
// civetweb hands each new connection to the worker that has waited longest,
// so with glibc's default (8 arenas a CPU, the 256 workers spread over them)
// consecutive scrapes allocate from arenas that no recent one touched: cold
// memory, more CPU per new-connection scrape and more memory
// (docs/performance.md, "Figures behind the code").
// Scrapes rarely overlap, so the one arena's lock is seldom contended.
void UseOneMallocArena() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 1);
}

}  // namespace

int main(int argc, char** argv) {
  UseOneMallocArena();
  using nfce::Log;
  using nfce::LogLevel;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "doctor") {
    return nfce::DoctorMain({args.begin() + 1, args.end()});
  }
  absl::StatusOr<nfce::Options> options = nfce::ParseFlags(args);
  if (!options.ok()) {
    std::fprintf(stderr, "nf_conntrack_exporter: %s\n",
                 std::string(options.status().message()).c_str());
    return 2;
  }
  if (options->show_help) {
    std::fputs(nfce::HelpText("nf_conntrack_exporter").c_str(), stdout);
    return 0;
  }
  if (options->show_version) {
    std::printf("nf_conntrack_exporter version %s (revision %s)\n",
                nfce::kVersion, nfce::kRevision);
    return 0;
  }
  nfce::SetLogLevel(options->log_level);

  std::string enabled;
  for (const auto& [name, on] : options->collectors) {
    if (on) absl::StrAppend(&enabled, enabled.empty() ? "" : ",", name);
  }
  nfce::WebConfig web;
  if (!options->web_config_file.empty()) {
    absl::StatusOr<nfce::WebConfig> loaded =
        nfce::LoadWebConfig(options->web_config_file);
    if (!loaded.ok()) {
      Log(LogLevel::kError, "refusing the web config",
          {{"err", loaded.status().message()}});
      return 1;
    }
    web = *std::move(loaded);
  }
  // Block the stop signals before any thread starts, so that only sigwait
  // below receives them. Not before: loading the web config must stay
  // interruptible (a certificate on a hung network mount, say).
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto view = std::make_shared<const nfce::KernelView>(options->paths);
  // Least privilege, decided on this host: a unit or a pod spec grants
  // CAP_NET_ADMIN for the kernels that lack the proc files; where they are
  // there and nothing else speaks ctnetlink, it goes before any thread
  // starts (capabilities are per thread).
  if (nfce::NetAdminUsers(*options, *view).empty() && nfce::HasNetAdmin()) {
    if (absl::Status dropped = nfce::DropNetAdmin(); dropped.ok()) {
      Log(LogLevel::kInfo, "dropped CAP_NET_ADMIN",
          {{"reason", "no enabled collector speaks ctnetlink on this host"}});
    } else {
      Log(LogLevel::kWarn, "could not drop CAP_NET_ADMIN",
          {{"err", dropped.message()}});
    }
  }
  nfce::Scraper scraper(view, nfce::BuildCollectors(*options, view));
  // One hour of samples for the status page's chart.
  nfce::History history(
      static_cast<size_t>(absl::Hours(1) / options->status_sample_interval));
  nfce::Sampler sampler(view, &history, options->status_sample_interval);
  std::vector<std::unique_ptr<nfce::ReadOnlyHandler>> handlers;
  handlers.push_back(std::make_unique<nfce::MetricsHandler>(
      options->http.telemetry_path, scraper, options->http.max_requests));
  handlers.push_back(std::make_unique<nfce::StatusPage>(
      view, options->stat,
      nfce::StatusPage::Boards{options->flows.board, options->netns.board,
                               options->flows.snat_ports},
      history, options->http.telemetry_path));
  // What every alert's runbook_url opens by default: it loads from this
  // host alone, and while the table is full with the runbook's notrack rules.
  handlers.push_back(std::make_unique<nfce::StaticHandler>(
      "/runbook", "text/html; charset=utf-8", nfce::kRunbookHtml));
  absl::StatusOr<std::unique_ptr<nfce::HttpServer>> server =
      nfce::HttpServer::Start(options->http, web, std::move(handlers),
                              options->web_config_file);
  if (!server.ok()) {
    Log(LogLevel::kError, "cannot start", {{"err", server.status().message()}});
    return 1;
  }
  Log(LogLevel::kInfo, "listening",
      {{"address", absl::StrJoin(options->http.listen_addresses, ",")},
       {"tls", web.tls ? "on" : "off"},
       {"basic_auth", web.basic_auth_users.empty() ? "off" : "on"},
       {"telemetry_path", options->http.telemetry_path},
       {"collectors", enabled},
       {"version", nfce::kVersion}});

  int sig = 0;
  sigwait(&stop, &sig);
  Log(LogLevel::kInfo, "shutting down", {{"signal", strsignal(sig)}});
  // Let scrapes in progress finish: a request can take at most the request
  // timeout to arrive, plus a moment to serve.
  if (!(*server)->Drain(options->http.request_timeout + absl::Seconds(5))) {
    Log(LogLevel::kWarn, "stopping with requests still in progress");
  }
  server->reset();
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
#include "exporter/status/status_page.h"

#include "absl/strings/str_cat.h"
#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/render/render.h"

namespace nfce {

StatusPage::StatusPage(std::shared_ptr<const KernelView> view, StatOptions stat,
                       Boards boards, const History& history,
                       std::string telemetry_path)
    : ReadOnlyHandler("/"),
      view_(std::move(view)),
      stat_(std::move(stat)),
      boards_(std::move(boards)),
      history_(history),
      telemetry_path_(std::move(telemetry_path)),
      kernel_log_(*view_) {}

bool StatusPage::Serve(mg_connection* conn, bool head_only) {
  GatherOptions o;
  o.stat = stat_;
  o.dump_flows = false;  // a page view must stay cheap: the boards serve
  o.kernel_log = &kernel_log_;
  o.snat_ports = boards_.snat_ports;
  HostFacts facts = GatherFacts(*view_, o);
  const absl::Time now = absl::Now();
  if (NetnsBoard::Entry named = boards_.namespaces->Latest(); named.names) {
    facts.namespaces = *named.names;
    facts.namespaces_note =
        absl::StrCat("the netns collector's, ",
                     absl::ToInt64Seconds(now - named.time), " s ago");
  }
  MakeupBoard::Entry latest = boards_.makeup->Latest();
  if (latest.makeup) {
    facts.makeup = *latest.makeup;
    facts.makeup_note = absl::StrCat(
        "From the flows collector's dump ",
        absl::ToInt64Seconds(now - latest.time), " s ago; it dumps every ",
        absl::FormatDuration(latest.interval),
        latest.interval > latest.asked
            ? absl::StrCat(
                  ", not every ", absl::FormatDuration(latest.asked),
                  " (--collector.flows.interval): a dump costs ",
                  absl::FormatDuration(
                      absl::Trunc(latest.cpu, absl::Milliseconds(1))),
                  " of CPU, and --collector.flows.max-cpu bounds their share")
            : "",
        ".");
  } else {
    facts.makeup_note =
        "Start the exporter with --collector.flows to see what fills the "
        "table (one dump per --collector.flows.interval, off the scrape "
        "path; needs CAP_NET_ADMIN).";
  }
  HtmlPage page;
  page.chart = Chart(history_.Snapshot(), now);
  page.telemetry_path = telemetry_path_;
  Reply(conn, "text/html; charset=utf-8",
        RenderHtml(facts, Diagnose(facts), page), head_only);
  return true;
}

}  // namespace nfce

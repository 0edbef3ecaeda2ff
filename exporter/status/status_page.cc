// SPDX-License-Identifier: Apache-2.0
#include "exporter/status/status_page.h"

#include "absl/strings/str_cat.h"
#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/render/render.h"

namespace nfce {

StatusPage::StatusPage(std::shared_ptr<const KernelView> view, StatOptions stat,
                       std::shared_ptr<MakeupBoard> board,
                       const History& history, std::string telemetry_path)
    : ReadOnlyHandler("/"),
      view_(std::move(view)),
      stat_(std::move(stat)),
      board_(std::move(board)),
      history_(history),
      telemetry_path_(std::move(telemetry_path)),
      kernel_log_(*view_) {}

bool StatusPage::Serve(mg_connection* conn, bool head_only) {
  GatherOptions o;
  o.stat = stat_;
  o.dump_flows = false;  // a page view must stay cheap
  o.kernel_log = &kernel_log_;
  HostFacts facts = GatherFacts(*view_, o);
  MakeupBoard::Entry latest = board_->Latest();
  if (latest.makeup) {
    facts.makeup = *latest.makeup;
    facts.makeup_note = absl::StrCat(
        "From the flows collector's dump ",
        absl::ToInt64Seconds(absl::Now() - latest.time), " s ago.");
  } else {
    facts.makeup_note =
        "Start the exporter with --collector.flows to see what fills the "
        "table (one dump per --collector.flows.interval, off the scrape "
        "path; needs CAP_NET_ADMIN).";
  }
  HtmlPage page;
  page.chart = Chart(history_.Snapshot(), absl::Now());
  page.telemetry_path = telemetry_path_;
  Reply(conn, "text/html; charset=utf-8",
        RenderHtml(facts, Diagnose(facts), page), head_only);
  return true;
}

}  // namespace nfce

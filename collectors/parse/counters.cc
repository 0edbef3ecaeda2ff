// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/counters.h"

#include <linux/netfilter/nfnetlink_conntrack.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace nfce {

const std::vector<CounterInfo>& Counters() {
  static const auto* kCounters = new std::vector<CounterInfo>{
      {"found", "found", CTA_STATS_FOUND, false, 0, "all",
       "Lookups that found an existing entry."},
      {"invalid", "invalid", CTA_STATS_INVALID, false, 6, "all",
       "Packets conntrack could not track (malformed, out of window), "
       "marked INVALID."},
      {"ignore", "ignore", CTA_STATS_IGNORE, true, 0, "up to 5.9",
       "Packets skipped because they were already tracked or untracked."},
      {"insert", "insert", CTA_STATS_INSERT, false, 0, "all",
       "Entries inserted into the table."},
      {"insert_failed", "insert_failed", CTA_STATS_INSERT_FAILED, false, 3,
       "all",
       "Inserts that failed: a clash with an existing entry or, since 5.15, a "
       "hash chain too long."},
      {"drop", "drop", CTA_STATS_DROP, false, 1, "all",
       "Packets conntrack refused: the table full with nothing to "
       "early-drop (kernel log: table full, dropping packet), a failed "
       "allocation, or a packet a protocol tracker dropped (also counted in "
       "invalid)."},
      {"early_drop", "early_drop", CTA_STATS_EARLY_DROP, false, 2, "all",
       "Entries that were not assured, evicted to make room in a full table."},
      {"icmp_error", "icmp_error", CTA_STATS_ERROR, false, 0, "all",
       "ICMP errors that matched no tracked connection or were malformed."},
      {"search_restart", "search_restart", CTA_STATS_SEARCH_RESTART, false, 0,
       "after 2.6.32",
       "Hash lookups restarted because the table changed under them."},
      {"clash_resolve", "clashres", CTA_STATS_CLASH_RESOLVE, false, 5, "5.10+",
       "Insert clashes (e.g. parallel UDP queries) resolved without a drop."},
      {"chaintoolong", "chainlength", CTA_STATS_CHAIN_TOOLONG, false, 4,
       "5.15+",
       "Inserts refused because a hash chain was too long (5.15+); also "
       "counted in insert_failed."},
      {"expect_new", "expect_new", 0, false, 0, "all",
       "New entries that matched an expectation: the data connections of "
       "helpers (FTP, SIP, ...).",
       CTA_STATS_EXP_NEW},
      {"expect_create", "expect_create", 0, false, 0, "all",
       "Expectations that helpers added to the expectation table.",
       CTA_STATS_EXP_CREATE},
      {"expect_delete", "expect_delete", 0, false, 0, "all",
       "Expectations removed from the expectation table: used, timed out or "
       "evicted.",
       CTA_STATS_EXP_DELETE},
      {"searched", "searched", CTA_STATS_SEARCHED, true, 0, "up to 5.9",
       "Hash table lookups (old kernels; later ones print 0)."},
      {"new", "new", CTA_STATS_NEW, true, 0, "up to 5.9",
       "Entries created (old kernels; later ones print 0)."},
      {"delete", "delete", CTA_STATS_DELETE, true, 0, "up to 5.9",
       "Entries deleted (old kernels; later ones print 0)."},
      {"delete_list", "delete_list", CTA_STATS_DELETE_LIST, true, 0,
       "up to 5.9",
       "Entries removed from the lists (old kernels; later ones print 0)."},
  };
  return *kCounters;
}

namespace {

template <typename Match>
const CounterInfo* Find(Match match) {
  for (const CounterInfo& c : Counters()) {
    if (match(c)) return &c;
  }
  return nullptr;
}

}  // namespace

const CounterInfo* CounterOfHeader(absl::string_view header) {
  return Find([&](const CounterInfo& c) { return c.header == header; });
}

const CounterInfo* CounterOfAttribute(int attribute) {
  if (attribute <= 0) return nullptr;
  return Find([&](const CounterInfo& c) { return c.attribute == attribute; });
}

const CounterInfo* CounterOfExpectAttribute(int attribute) {
  if (attribute <= 0) return nullptr;
  return Find(
      [&](const CounterInfo& c) { return c.expect_attribute == attribute; });
}

const CounterInfo* CounterNamed(absl::string_view name) {
  return Find([&](const CounterInfo& c) { return c.name == name; });
}

const std::vector<absl::string_view>& ReportedCounters() {
  static const auto* kReported = [] {
    std::vector<const CounterInfo*> listed;
    for (const CounterInfo& c : Counters()) {
      if (c.report_order > 0) listed.push_back(&c);
    }
    std::sort(listed.begin(), listed.end(), [](auto* a, auto* b) {
      return a->report_order < b->report_order;
    });
    auto* names = new std::vector<absl::string_view>();
    for (const CounterInfo* c : listed) names->push_back(c->name);
    return names;
  }();
  return *kReported;
}

std::string CounterHelp(absl::string_view name) {
  const CounterInfo* c = CounterNamed(name);
  return absl::StrCat(
      c != nullptr ? std::string(c->help)
                   : absl::StrCat("Kernel conntrack counter ", name, "."),
      " Per-CPU kernel counters, extended past their 32-bit wrap; they start "
      "again from 0 when the module is reloaded.");
}

}  // namespace nfce

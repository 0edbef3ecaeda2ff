// SPDX-License-Identifier: Apache-2.0
// Everything a user may override, in one place:
//   (import 'nf-conntrack-mixin/mixin.libsonnet') + {
//     _config+:: { selector: 'job="node-conntrack"', nearlyFullThreshold: 0.8 },
//   }
// The thresholds the doctor shares (thresholds.json, read by the build too).
local thresholds = import 'thresholds.json';

{
  _config+:: {
    // Label matchers (no braces) added to every selector, e.g.
    // 'job="nf-conntrack"'. Empty: the rules work whatever the job is called.
    selector: '',

    // Table usage (entries / nf_conntrack_max).
    nearlyFullThreshold: thresholds.nearlyFullThreshold,
    nearlyFullFor: '5m',
    criticalThreshold: thresholds.criticalThreshold,
    criticalFor: '2m',
    // Drops count as "table full" only with usage at least this in the window.
    fullThreshold: thresholds.fullThreshold,
    // ConntrackTableFillingUp: full within this many hours at the last hour's
    // trend.
    fillingUpHours: 4,
    fillingUpFor: '15m',
    // Mean hash chain length (2 x entries / buckets).
    chainLengthThreshold: thresholds.chainLengthThreshold,
    chainLengthFor: '30m',
    insertFailuresFor: '10m',
    // The fullest source-NAT tuple's share of its ports
    // (instance:nf_conntrack_snat_ports:max_ratio).
    snatPortsThreshold: thresholds.snatPortsThreshold,
    snatPortsFor: '2m',
    earlyDropsFor: '5m',
    // Expectations over nf_conntrack_expect_max
    // (instance:nf_conntrack_expect_usage:ratio).
    expectNearlyFullThreshold: thresholds.expectNearlyFullThreshold,
    expectNearlyFullFor: '2m',
    collectorFailingFor: '15m',

    // Where each alert's runbook_url points: this prefix, then the alert's
    // name in lower case (a heading of docs/runbook.md).
    runbookURLPrefix: 'docs/runbook.md#',

    dashboardUID: 'nf-conntrack',
    dashboardTitle: 'Linux conntrack table',
    dashboardTags: ['conntrack', 'netfilter', 'nf_conntrack_exporter'],
    dashboardRefresh: '30s',
    // Instances the Fleet row ranks by usage.
    fleetTopK: 20,
  },
}

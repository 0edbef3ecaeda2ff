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
    // The scrape job of the exporters, for the alerts built on `up`: the
    // shipped scrape config and ServiceMonitor both call it `conntrack`.
    exporterSelector: 'job="conntrack"',
    exporterDownFor: '5m',
    // A target Prometheus no longer discovers (a ServiceMonitor that lost
    // its selector, a host taken out of the file_sd list) for this long.
    exporterMissingFor: '15m',

    // Table usage (entries / nf_conntrack_max).
    nearlyFullThreshold: thresholds.nearlyFullThreshold,
    nearlyFullFor: '5m',
    criticalThreshold: thresholds.criticalThreshold,
    criticalFor: '2m',
    // How long a critical alert keeps firing once its series are gone: on a
    // full table a new scrape connection is dropped, the series go stale
    // after 5 minutes, and without it the alerts would send "resolved" in
    // the middle of the incident.
    keepFiringFor: '15m',
    // Drops count as "table full" only with usage at least this in the window.
    fullThreshold: thresholds.fullThreshold,
    // ConntrackTableFillingUp: full within this many hours at the last hour's
    // trend.
    fillingUpHours: 4,
    fillingUpFor: '15m',
    // ... and only once the table is at least this full now: a morning ramp
    // from 20 % to 45 % predicts overflow every day on a healthy host.
    fillingUpFloor: 0.5,
    // Mean hash chain length (2 x entries / buckets).
    chainLengthThreshold: thresholds.chainLengthThreshold,
    chainLengthFor: '30m',
    // Failed inserts as a share of all inserts (failed + new entries, from
    // the events collector); where no new-entry rate is collected, failed
    // inserts per second. A busy Kubernetes node fails a few inserts all
    // day (the DNS clash race): neither threshold fires on that.
    insertFailedRatioThreshold: 0.01,
    insertFailedRateThreshold: 1,
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
    unlimitedFor: '15m',

    // Where an instance's exporter answers, from the instance label (`host`
    // is a Prometheus or Grafana template of it): instance is host:port in
    // the shipped scrape config. On Kubernetes, where instance is the node's
    // name, generate_mixin.py adds the port.
    exporterURL(host):: 'http://%s' % host,
    // Each alert's runbook_url is this, then the alert's name in lower case
    // (a heading of docs/runbook.md). Absolute, so that it opens from a
    // pager or a chat. null: the alerting exporter's own copy (it serves
    // docs/runbook.md at /runbook): no wiki to keep, it works air-gapped,
    // and with the runbook's notrack rules it loads while the table is full.
    // Your wiki's copy: e.g. 'https://wiki.example.com/conntrack-runbook#'.
    runbookURLPrefix: null,
    runbookURL(host):: if self.runbookURLPrefix != null then self.runbookURLPrefix
    else self.exporterURL(host) + '/runbook#',
    // Grafana's address: with it, every alert carries a dashboard_url
    // opening the dashboard on its instance. Empty: no dashboard_url.
    grafanaURL: '',

    dashboardUID: 'nf-conntrack',
    dashboardTitle: 'Linux conntrack table',
    dashboardTags: ['conntrack', 'netfilter', 'nf_conntrack_exporter'],
    dashboardRefresh: '30s',
    // Instances the Fleet row ranks by usage.
    fleetTopK: 20,
  },
}

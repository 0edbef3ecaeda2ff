// SPDX-License-Identifier: Apache-2.0
// What the alerts and the dashboard compute again and again, evaluated once
// per interval. Every rule keeps the target's labels (job, instance, ...).
local promql = import '../lib/promql.libsonnet';

{
  prometheusRules+:: {
    local c = $._config,
    local m(name) = promql.metric(name, [c.selector]),
    groups+: [
      {
        name: 'nf_conntrack.rules',
        rules: [
          {
            // Entries as a share of nf_conntrack_max; no sample where the
            // limit is 0 ("no limit") or missing.
            record: 'instance:nf_conntrack_usage:ratio',
            expr: '%s / (%s > 0)' % [
              m('nf_conntrack_entries'),
              m('nf_conntrack_entries_limit'),
            ],
          },
          {
            // Assured entries (flows collector) as a share of the limit:
            // what a full table cannot evict. No sample without the flows
            // collector, or where the limit is 0 or missing.
            record: 'instance:nf_conntrack_assured_usage:ratio',
            expr: 'sum without (protocol) (%s)\n/\n(%s > 0)' % [
              m('nf_conntrack_flows_assured_entries'),
              m('nf_conntrack_entries_limit'),
            ],
          },
          {
            // Expectations (helpers: FTP, SIP...) as a share of
            // nf_conntrack_expect_max; no sample where the kernel has none.
            record: 'instance:nf_conntrack_expect_usage:ratio',
            expr: '%s / (%s > 0)' % [
              m('nf_conntrack_expect_entries'),
              m('nf_conntrack_expect_entries_limit'),
            ],
          },
          // The counters per second, summed over CPUs: with
          // --collector.stat.per-cpu each carries a cpu label, which would
          // keep it from ever joining the usage ratio.
          {
            // Packets conntrack refused.
            record: 'instance:nf_conntrack_drops:rate5m',
            expr: 'sum without (cpu) (rate(%s[5m]))' % m('nf_conntrack_stat_drop_total'),
          },
          {
            // Entries evicted to admit new ones: the table was at its limit,
            // whatever a sampled usage says.
            record: 'instance:nf_conntrack_early_drops:rate5m',
            expr: 'sum without (cpu) (rate(%s[5m]))' % m('nf_conntrack_stat_early_drop_total'),
          },
          {
            // Inserts that failed: a clash (source NAT out of ports, parallel
            // UDP), and since 5.15 a chain too long.
            record: 'instance:nf_conntrack_insert_failed:rate5m',
            expr: 'sum without (cpu) (rate(%s[5m]))' % m('nf_conntrack_stat_insert_failed_total'),
          },
          {
            // Failed inserts as a share of all inserts (the failed ones plus
            // the new entries the events collector counts); no sample
            // without that collector (the kernel's own insert counter stays
            // 0 since 5.x).
            record: 'instance:nf_conntrack_insert_failed:ratio_rate5m',
            local failed = m('instance:nf_conntrack_insert_failed:rate5m'),
            expr: '%s\n/\n(\n  %s\n  + sum without (type, protocol) (rate(%s[5m]))\n  > 0\n)'
                  % [failed, failed, promql.metric('nf_conntrack_events_total', [c.selector, 'type="new"'])],
          },
          {
            // Each entry is hashed in both directions: twice the load.
            record: 'instance:nf_conntrack_hash_chain_length:mean',
            expr: '2 * %s' % m('nf_conntrack_bucket_load'),
          },
          {
            // The fullest source-NAT tuple's share of the ports it can use
            // (flows collector), at its least count; no sample without
            // source NAT.
            record: 'instance:nf_conntrack_snat_ports:max_ratio',
            expr: 'max without (nat_address, destination, port, protocol) %s\n/\n%s'
                  % [
                    promql.snatPortsInUse(c.selector),
                    m('nf_conntrack_flows_snat_ports_available'),
                  ],
          },
          {
            // Collectors that failed on the last scrape; 0 when all read.
            record: 'instance:nf_conntrack_collectors_failing:count',
            expr: 'sum without (collector) (1 - %s)'
                  % m('nf_conntrack_scrape_collector_success'),
          },
        ],
      },
    ],
  },
}

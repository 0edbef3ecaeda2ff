// SPDX-License-Identifier: Apache-2.0
// The alerts. They read the recording rules of rules/ where those hold what
// they need, and select on metric names only (plus _config.selector), so
// they work whatever the scrape job is called. Where the limit is 0 ("no
// limit") or missing, the usage ratio has no sample and nothing fires.
// Prometheus evaluates the two groups on their own timers, so an alert may
// see a recorded series up to one evaluation interval late.
local promql = import '../lib/promql.libsonnet';

{
  prometheusAlerts+:: {
    local c = $._config,
    local m(name) = promql.metric(name, [c.selector]),
    local usage = m('instance:nf_conntrack_usage:ratio'),
    local drops = m('instance:nf_conntrack_drops:rate5m'),
    local chain = m('instance:nf_conntrack_hash_chain_length:mean'),
    local assured = m('instance:nf_conntrack_assured_usage:ratio'),
    local expectUsage = m('instance:nf_conntrack_expect_usage:ratio'),
    // Whether a full table can still evict, from the assured share of this
    // instance (flows collector); nothing where that is not collected.
    local canEvict = series('instance:nf_conntrack_assured_usage:ratio') + '{{ $assured := . | first | value }} Of the limit, {{ $assured | humanizePercentage }} is assured entries, which the kernel never evicts: {{ if ge $assured %s }}it cannot make room, and new connections are dropped.{{ else }}it can still evict the rest for new connections.{{ end }}{{ end }}' % num(c.criticalThreshold),
    local pct(x) = '%g%%' % (x * 100),
    local num = promql.num,
    local words = promql.words,
    // Where: the instance, and the node where a node label tells more.
    local where = '{{ $labels.instance }}{{ with $labels.node }}{{ if ne . $labels.instance }} (node {{ . }}){{ end }}{{ end }}',
    // Opens a template block on the alert's own sample of a series (the
    // instance's, of its job), `.` set to the query's result; `filter`, a
    // comparison such as '> 0', keeps it only while that holds.
    local series(name, filter='') = '{{ with printf "' + name + '{instance=%q,job=%q}' + (if filter == '' then '' else ' ' + filter) + '" $labels.instance $labels.job | query }}',
    // " (N of M entries)"; nothing once the series are gone (a kept-firing
    // alert keeps the text it had).
    local entriesOfLimit = series('nf_conntrack_entries') + '{{ $n := . | first | value }}' + series('nf_conntrack_entries_limit') + ' ({{ $n | printf "%.0f" }} of {{ . | first | value | printf "%.0f" }} entries){{ end }}{{ end }}',
    // runbook_url: by default on the alert's instance; for the alerts on a
    // lost exporter, on any exporter that still answers (the same runbook).
    local upSelector = promql.metric('up', [c.exporterSelector, c.selector]),
    local runbook(name, fromLiveExporter) =
      local anchor = std.asciiLower(name);
      if fromLiveExporter && c.runbookURLPrefix == null then
        '{{ with query `%s == 1` }}{{ $live := (. | first).Labels.instance }}%s%s{{ end }}'
        % [upSelector, c.runbookURL('{{ $live }}'), anchor]
      else c.runbookURL('{{ $labels.instance }}') + anchor,
    // One alert; `for` only where given, the runbook anchor from the name;
    // keep_firing_for on the pages that a lost scrape must not resolve.
    local alert(name, severity, expr, summary, description, pending=null, keepFiring=false, fromLiveExporter=false) = {
      alert: name,
      expr: expr,
      [if pending != null then 'for']: pending,
      [if keepFiring then 'keep_firing_for']: c.keepFiringFor,
      labels: { severity: severity },
      annotations: {
        summary: summary,
        description: description,
        runbook_url: runbook(name, fromLiveExporter),
        [if c.grafanaURL != '' then 'dashboard_url']:
          '%s/d/%s?var-instance={{ $labels.instance }}' % [c.grafanaURL, c.dashboardUID],
      },
    },
    // The table was at its limit at some point of the last 5 minutes: usage
    // reached fullThreshold, or the kernel evicted entries to make room (a
    // fill between two scrapes, which a sampled gauge misses).
    local wasFull = '(\n  max_over_time(%s[5m]) >= %s\n  or\n  %s > 0\n)' % [
      usage,
      num(c.fullThreshold),
      m('instance:nf_conntrack_early_drops:rate5m'),
    ],
    local insertFailed = m('instance:nf_conntrack_insert_failed:rate5m'),
    local insertFailedRatio = m('instance:nf_conntrack_insert_failed:ratio_rate5m'),

    groups+: [
      {
        name: 'nf_conntrack',
        rules: [
          alert(
            'ConntrackTableNearlyFull',
            'warning',
            '%s > %s' % [usage, num(c.nearlyFullThreshold)],
            'Conntrack table on ' + where + ' is {{ $value | humanizePercentage }} full' + entriesOfLimit + '.',
            'The connection tracking table has been above %s of nf_conntrack_max for %s. When it is full the kernel drops new connections. Raise nf_conntrack_max (and the buckets) or find what fills it.%s'
            % [pct(c.nearlyFullThreshold), words(c.nearlyFullFor), canEvict],
            pending=c.nearlyFullFor,
          ),
          alert(
            'ConntrackTableCritical',
            'critical',
            '%s > %s' % [usage, num(c.criticalThreshold)],
            'Conntrack table on ' + where + ' is {{ $value | humanizePercentage }} full' + entriesOfLimit + '.',
            'The connection tracking table has been above %s of nf_conntrack_max for %s: packet drops are imminent. Raise nf_conntrack_max now.%s'
            % [pct(c.criticalThreshold), words(c.criticalFor), canEvict],
            pending=c.criticalFor,
            keepFiring=true,
          ),
          // drop counts every packet conntrack refused; only with the table
          // at its limit in the same window is that "table full".
          alert(
            'ConntrackTableDroppingPackets',
            'critical',
            '%s * 300 > 0\nand\n%s\n' % [drops, wasFull],
            where + ' dropped {{ $value | humanize }} packets in 5 minutes: conntrack table full' + entriesOfLimit + '.',
            "The table reached %s of nf_conntrack_max, or the kernel had to evict entries (early_drop), while it dropped packets: it is logging 'nf_conntrack: table full, dropping packet' and new connections are lost. Raise nf_conntrack_max now, then find what fills the table.%s"
            % [pct(c.fullThreshold), canEvict],
            keepFiring=true,
          ),
          alert(
            'ConntrackDroppingPacketsNotFull',
            'warning',
            '%s * 300 > 0\nunless\n%s\n' % [drops, wasFull],
            where + ' dropped {{ $value | humanize }} packets in 5 minutes, but its conntrack table is not full.',
            "conntrack refused packets while the table stayed below %s of nf_conntrack_max and evicted nothing. That is not 'table full': raising the limit will not help. " % pct(c.fullThreshold)
            + series('instance:nf_conntrack_insert_failed:rate5m', '> 0')
            + 'Inserts failed at the same time ({{ . | first | value | printf "%.2g" }} a second): these drops are clashes, two packets creating the same entry at once that the kernel could not merge. On Kubernetes nodes that is the DNS race (the A and AAAA queries of one socket, sent in parallel through a DNAT); it is also source NAT without a free port (see ConntrackSNATPortsExhausted), and since 5.15 hash chains too long (chaintoolong). Fixes: NodeLocal DNSCache, or single-request-reopen in resolv.conf; more NAT addresses or random-fully.'
            + "{{ else }}The causes are a failed allocation (memory pressure) or packets a protocol tracker refused, which also count in nf_conntrack_stat_invalid_total. Compare the invalid rate and the host's free memory.{{ end }}",
          ),
          // Early drop evicts only entries that are not assured: a table
          // whose assured entries alone pass the critical share cannot make
          // room, and drops are near certain.
          alert(
            'ConntrackTableFullOfAssured',
            'critical',
            '%s > %s' % [assured, num(c.criticalThreshold)],
            'Conntrack table on ' + where + ' is {{ $value | humanizePercentage }} full of assured entries' + entriesOfLimit + '.',
            "Assured entries (TCP past its handshake, UDP that kept getting replies) alone have filled more than %s of nf_conntrack_max for %s. The kernel never evicts them to make room: new connections are dropped ('table full, dropping packet') as the table reaches its limit. Raise nf_conntrack_max, or shorten the timeouts of what stays (nf_conntrack_tcp_timeout_established, nf_conntrack_udp_timeout_stream)."
            % [pct(c.criticalThreshold), words(c.criticalFor)],
            pending=c.criticalFor,
            keepFiring=true,
          ),
          // Only above a floor: a daily ramp on a half-empty table is no
          // news, however steep.
          alert(
            'ConntrackTableFillingUp',
            'warning',
            'predict_linear(%s[1h], %d * 3600) > 1\nand\n%s > %s\n' % [usage, c.fillingUpHours, usage, num(c.fillingUpFloor)],
            'Conntrack table on ' + where + " will be full within %d hours at the last hour's rate" % c.fillingUpHours + entriesOfLimit + '.',
            'The table is above %s of nf_conntrack_max, and at the trend of the last hour it reaches the limit within %d hours. Find what is adding entries, or raise the limit before it fills.'
            % [pct(c.fillingUpFloor), c.fillingUpHours],
            pending=c.fillingUpFor,
          ),
          alert(
            'ConntrackInsertFailures',
            'warning',
            '%s > %s\nor\n(\n  %s > %s\n  unless\n  %s\n)\n' % [
              insertFailedRatio,
              num(c.insertFailedRatioThreshold),
              insertFailed,
              num(c.insertFailedRateThreshold),
              insertFailedRatio,
            ],
            'Conntrack inserts keep failing on ' + where + '.',
            'For %s, more than %s of new entries failed to insert (where the events collector counts them), or more than %s a second failed. A few failures are normal on a busy node; these many lose connections. A failed insert is a clash (source NAT without a free port, parallel UDP queries racing) or, since kernel 5.15, a hash chain too long even far below the limit: compare chaintoolong (resize the hash table) and see ConntrackSNATPortsExhausted.'
            % [words(c.insertFailuresFor), pct(c.insertFailedRatioThreshold), num(c.insertFailedRateThreshold)],
            pending=c.insertFailuresFor,
          ),
          // A tuple near its ports' end names itself; inserts that clash
          // (insert_failed less chaintoolong) on a table that is not full
          // are the same failure seen from the counters, where no dump runs.
          alert(
            'ConntrackSNATPortsExhausted',
            'warning',
            '%s\n/ ignoring(nat_address, destination, port, protocol) group_left\n%s\n> %s\nor\n(\n  %s\n  - (sum without (cpu) (rate(%s[5m])) or %s * 0)\n) > 0\nunless\n%s\n'
            % [
              promql.snatPortsInUse(c.selector),
              m('nf_conntrack_flows_snat_ports_available'),
              num(c.snatPortsThreshold),
              insertFailed,
              m('nf_conntrack_stat_chaintoolong_total'),
              insertFailed,
              wasFull,
            ],
            '{{ if $labels.nat_address }}Source NAT on {{ $labels.instance }} has {{ $value | humanizePercentage }} of its ports to {{ $labels.destination }} {{ $labels.protocol }}/{{ $labels.port }} in use.{{ else }}Conntrack inserts clash on {{ $labels.instance }} ({{ $value | humanize }}/s) while the table is not full.{{ end }}',
            '{{ if $labels.nat_address }}Connections from behind {{ $labels.nat_address }} to {{ $labels.destination }} {{ $labels.protocol }}/{{ $labels.port }} hold most of the source ports the NAT can use (above %s). When none is free, a new connection fails at insert (insert_failed, drop) on a table far from full, which no table-full alert sees.{{ else }}Inserts keep failing on a clash while the table is below %s: source NAT without a free port for one destination, or parallel UDP queries racing. Turn on --collector.flows to see which tuple.{{ end }} Fixes: snat to more addresses, random-fully on the masquerade rule, shorter UDP timeouts, connection reuse; on Kubernetes, NodeLocal DNSCache for DNS.'
            % [pct(c.snatPortsThreshold), pct(c.fullThreshold)],
            pending=c.snatPortsFor,
          ),
          // A second table with its own limit: when it is full, helpers'
          // data connections (FTP, SIP, H.323) fail while the conntrack
          // table looks healthy. Nothing counts the refusals.
          alert(
            'ConntrackExpectationTableNearlyFull',
            'warning',
            '%s > %s' % [expectUsage, num(c.expectNearlyFullThreshold)],
            'Conntrack expectation table on ' + where + ' is {{ $value | humanizePercentage }} full.',
            "Expectations, the connections that helpers (FTP, SIP, H.323, TFTP) announce, have filled more than %s of nf_conntrack_expect_max for %s. When the table is full the kernel logs 'nf_conntrack: expectation table full' and refuses new ones: the helpers' data connections (FTP transfers, VoIP media) fail while the conntrack table looks healthy, and no counter shows it. See which helper holds them (conntrack -L expect), and raise nf_conntrack_expect_max from the host's initial network namespace."
            % [pct(c.expectNearlyFullThreshold), words(c.expectNearlyFullFor)],
            pending=c.expectNearlyFullFor,
          ),
          alert(
            'ConntrackEarlyDrops',
            'warning',
            '%s * 300 > 0' % m('instance:nf_conntrack_early_drops:rate5m'),
            where + ' is evicting conntrack entries to make room ({{ $value | humanize }} in 5 minutes).',
            'The table is at its limit and the kernel evicts connections that are not assured to admit new ones. Raise nf_conntrack_max.',
            pending=c.earlyDropsFor,
          ),
          alert(
            'ConntrackHashChainsLong',
            'warning',
            '%s > %s' % [chain, num(c.chainLengthThreshold)],
            'Conntrack hash chains on ' + where + ' average {{ $value | humanize }} entries.',
            'The mean hash chain length (2 x entries / buckets) has been above %s for %s: the hash table is too small for the load. Lookups slow down, and since 5.15 long chains refuse inserts. Raise the bucket count (hashsize).'
            % [num(c.chainLengthThreshold), words(c.chainLengthFor)],
            pending=c.chainLengthFor,
          ),
          // On the raw series, not the failing-collectors count: the alert
          // names the collector.
          alert(
            'ConntrackCollectorFailing',
            'warning',
            '%s == 0' % m('nf_conntrack_scrape_collector_success'),
            'nf_conntrack_exporter collector {{ $labels.collector }} on ' + where + ' is failing.',
            "The collector has failed on every scrape for %s, so alerts that need its metrics may be blind. The exporter's log says why (often a missing privilege)."
            % words(c.collectorFailingFor),
            pending=c.collectorFailingFor,
          ),
          // No limit: the table grows until memory runs out, and no usage
          // alert can fire.
          alert(
            'ConntrackTableUnlimited',
            'warning',
            '%s == 0' % m('nf_conntrack_entries_limit'),
            'Conntrack table on ' + where + ' has no limit (nf_conntrack_max is 0).',
            'nf_conntrack_max has been 0 for %s: the table grows until the kernel runs out of memory, and no usage alert can fire. Kernels since 6.19 refuse 0. Set a limit sized for this host (the doctor gives one).'
            % words(c.unlimitedFor),
            pending=c.unlimitedFor,
          ),
          // Built on the scrape itself: an exporter that is down, or a host
          // whose table is so full that the scrape's connection is dropped.
          alert(
            'ConntrackExporterDown',
            'warning',
            '%s == 0' % upSelector,
            'nf_conntrack_exporter on ' + where + ' cannot be scraped.',
            "Prometheus has failed to scrape this exporter for %s: every conntrack alert for it is blind. Is the process running (systemctl status nf_conntrack_exporter, or the DaemonSet's pod on that node)? On a full table a new scrape connection is itself dropped: the runbook's notrack rules exempt the exporter's port. The critical conntrack alerts keep firing for %s after their last sample."
            % [words(c.exporterDownFor), words(c.keepFiringFor)],
            pending=c.exporterDownFor,
            fromLiveExporter=true,
          ),
          alert(
            'ConntrackExporterTargetMissing',
            'warning',
            'absent(%s)' % upSelector,
            'Prometheus scrapes no nf_conntrack_exporter (%s).' % c.exporterSelector,
            "No target matches %s for %s: nothing watches any conntrack table. On kube-prometheus-stack, the ServiceMonitor needs the chart's release label; elsewhere, check the scrape config's job name."
            % [c.exporterSelector, words(c.exporterMissingFor)],
            pending=c.exporterMissingFor,
            fromLiveExporter=true,
          ),
        ],
      },
    ],
  },
}

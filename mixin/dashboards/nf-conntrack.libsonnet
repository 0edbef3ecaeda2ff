// SPDX-License-Identifier: Apache-2.0
// The dashboard: a Fleet row over every instance of $job, then one host (or
// the hosts chosen in $instance) row by row.
local p = import '../lib/panels.libsonnet';
local promql = import '../lib/promql.libsonnet';

function(c)
  local job = 'job=~"$job"';
  local instance = 'instance=~"$instance"';
  local fleet(name, extra=[]) = promql.metric(name, [c.selector, job] + extra);
  local host(name, extra=[]) =
    promql.metric(name, [c.selector, job, instance] + extra);
  local rate(name) = 'rate(%s[$__rate_interval])' % host(name);
  local num = promql.num;
  local pct(x) = '%g %%' % (x * 100);
  local usageColors = p.thresholds([
    ['green', null],
    ['orange', c.nearlyFullThreshold],
    ['red', c.criticalThreshold],
  ]);
  local optIn(flag) =
    ' Needs --collector.%s; empty when that collector is off.' % flag;
  // Clicking an instance opens this dashboard for that instance alone.
  local openHost = {
    links: [{
      title: 'Open ${__field.labels.instance}',
      url: '/d/%s/?${__url_time_range}&${datasource:queryparam}&${job:queryparam}&var-instance=${__field.labels.instance}'
           % c.dashboardUID,
    }],
  };
  // The runbook (the alerts' runbook_url) and the status page of the
  // exporter on `host`, a Grafana variable.
  local runbookPage = c.runbookURL('${instance}');
  local statusPage = c.exporterURL('${instance}') + '/';
  // A link above the panels, opening in a new tab.
  local dashboardLink(title, url, tooltip, icon) = {
    title: title,
    type: 'link',
    url: url,
    tooltip: tooltip,
    icon: icon,
    targetBlank: true,
    asDropdown: false,
    includeVars: false,
    keepTime: false,
    tags: [],
  };
  // Data links from the series of query `refId` to sections of the runbook
  // of the series' instance, [[title, anchor], ...].
  local runbookLinks(refId, sections) = p.queryLinks(refId, [
    {
      title: 'Runbook: %s' % s[0],
      url: c.runbookURL('${__field.labels.instance}') + s[1],
      targetBlank: true,
    }
    for s in sections
  ]);
  local countAbove(threshold, color, gridPos) = p.stat(
    'Instances above %s' % pct(threshold),
    'How many instances have their table above %s of nf_conntrack_max now (instance:nf_conntrack_usage:ratio).'
    % pct(threshold),
    'short',
    [p.target('count(%s > %s) or vector(0)'
              % [fleet('instance:nf_conntrack_usage:ratio'), num(threshold)])],
    gridPos,
    { thresholds: p.thresholds([['green', null], [color, 1]]), decimals: 0 },
    { colorMode: 'background' },
  );

  local fleetRow = [
    p.row('Fleet', 0),
    p.bars(
      'Instances by table usage',
      'The %d instances of $job whose tables are fullest (entries / nf_conntrack_max), whatever $instance says. Click a bar to open that instance.'
      % c.fleetTopK,
      'percentunit',
      [p.target('topk(%d, %s)' % [
                  c.fleetTopK,
                  fleet('instance:nf_conntrack_usage:ratio'),
                ],
                '{{instance}}',
                instant=true)],
      p.grid(0, 1, 10, 10),
      { min: 0, max: 1, thresholds: usageColors } + openHost,
    ),
    countAbove(c.nearlyFullThreshold, 'orange', p.grid(10, 1, 4, 5)),
    countAbove(c.criticalThreshold, 'red', p.grid(14, 1, 4, 5)),
    p.stat(
      'Instances with failing collectors',
      'How many instances had at least one collector fail on the last scrape (instance:nf_conntrack_collectors_failing:count). Their alerts may be blind; the Exporter row of each says which.',
      'short',
      [p.target('count(%s > 0) or vector(0)'
                % fleet('instance:nf_conntrack_collectors_failing:count'))],
      p.grid(10, 6, 8, 5),
      { thresholds: p.thresholds([['green', null], ['orange', 1]]), decimals: 0 },
      { colorMode: 'background' },
    ),
    p.bars(
      'Instances dropping packets now',
      'Instances where conntrack dropped packets in the last 5 minutes, per second (instance:nf_conntrack_drops:rate5m). Empty when none is dropping. Click a bar to open that instance.',
      'pps',
      [p.target('sort_desc(%s > 0)' % fleet('instance:nf_conntrack_drops:rate5m'),
                '{{instance}}',
                instant=true)],
      p.grid(18, 1, 6, 10),
      { thresholds: p.thresholds([['red', null]]) } + openHost,
    ),
  ];

  local established = ['protocol="tcp"', 'state="established"'];
  // The per-host rows start below the Fleet row.
  local y0 = 11;
  local hostRows = [
    p.row('Table', y0),
    p.gauge(
      'Table usage',
      "Entries as a share of nf_conntrack_max. At 100 %% the kernel drops new connections ('table full, dropping packet'). Warning at %s, critical at %s. Empty when the limit is 0 (no limit). Click for the runbook."
      % [pct(c.nearlyFullThreshold), pct(c.criticalThreshold)],
      'percentunit',
      [p.target(host('instance:nf_conntrack_usage:ratio'), '{{instance}}')],
      p.grid(0, y0 + 1, 6, 8),
      { min: 0, max: 1, thresholds: usageColors },
    ) {
      fieldConfig+: { overrides+: [
        runbookLinks('A', [
          ['ConntrackTableCritical', 'conntracktablecritical'],
          ['raise the limit', 'raise-the-limit'],
        ]),
      ] },
    },
    p.timeseries(
      'Entries vs limit',
      'Entries in the table (nf_conntrack_count) against the limit (nf_conntrack_max, the dashed red line), per instance. Where the limit changed (a sysctl, or kube-proxy setting it back), the "nf_conntrack_max changed" annotation marks the moment and the new value.',
      'short',
      [
        p.target(host('nf_conntrack_entries'), '{{instance}} entries'),
        p.target('%s > 0' % host('nf_conntrack_entries_limit'),
                 '{{instance}} limit (nf_conntrack_max)'),
      ],
      p.grid(6, y0 + 1, 12, 8),
    ) {
      fieldConfig+: { overrides+: [
        p.queryStyle('B', [
          { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
          { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
          { id: 'custom.lineWidth', value: 2 },
          { id: 'custom.fillOpacity', value: 0 },
        ]),
        runbookLinks('B', [['raise the limit', 'raise-the-limit']]),
      ] },
    },
    p.stat(
      'Time until full',
      'Time until the table reaches its limit at the trend of the last hour. Empty while the table is not growing.',
      's',
      [p.target('((%s > 0) - %s) / (deriv(%s[1h]) > 0)'
                % [
                  host('nf_conntrack_entries_limit'),
                  host('nf_conntrack_entries'),
                  host('nf_conntrack_entries'),
                ], '{{instance}}')],
      p.grid(18, y0 + 1, 6, 8),
      { thresholds: p.thresholds([
        ['red', null],
        ['orange', 3600],
        ['green', 14400],
      ]) },
      { colorMode: 'value' },
    ),

    p.row('Drops and failures', y0 + 9),
    p.timeseries(
      'Packets dropped',
      "Packets conntrack dropped, per second over 5 minutes, summed over CPUs (instance:nf_conntrack_drops:rate5m, the Fleet row's figure). With the table full the kernel logs 'table full, dropping packet'; drops on a table that is not full have other causes (the runbook's ConntrackDroppingPacketsNotFull). Click for the runbook.",
      'pps',
      [p.target(host('instance:nf_conntrack_drops:rate5m'), '{{instance}} drop')],
      p.grid(0, y0 + 10, 8, 9),
    ) {
      fieldConfig+: { overrides+: [
        runbookLinks('A', [
          ['ConntrackTableDroppingPackets', 'conntracktabledroppingpackets'],
          ['ConntrackDroppingPacketsNotFull', 'conntrackdroppingpacketsnotfull'],
        ]),
      ] },
    },
    p.timeseries(
      'Early drops and insert failures',
      'Per second over 5 minutes, summed over CPUs. early_drop: unassured entries evicted to make room (the table was at its limit). insert_failed: inserts refused (clashes, and since 5.15 chains too long); the packet is dropped. chaintoolong: inserts refused for a long chain. clash_resolve: clashes resolved without a drop. Click a series for its runbook section.',
      'cps',
      [
        p.target(host('instance:nf_conntrack_early_drops:rate5m'),
                 '{{instance}} early_drop'),
        p.target(host('instance:nf_conntrack_insert_failed:rate5m'),
                 '{{instance}} insert_failed'),
      ] + [
        p.target('sum without (cpu) (rate(%s[5m]))'
                 % host('nf_conntrack_stat_%s_total' % s), '{{instance}} ' + s)
        for s in ['chaintoolong', 'clash_resolve']
      ],
      p.grid(8, y0 + 10, 8, 9),
    ) {
      fieldConfig+: { overrides+: [
        runbookLinks('A', [['ConntrackEarlyDrops', 'conntrackearlydrops']]),
        runbookLinks('B', [['ConntrackInsertFailures', 'conntrackinsertfailures']]),
        runbookLinks('C', [['ConntrackHashChainsLong', 'conntrackhashchainslong']]),
      ] },
    },
    p.stat(
      'Packets dropped in the last hour',
      'Packets conntrack dropped over the last hour, summed over CPUs. Anything above 0 means lost connections.',
      'short',
      [p.target('sum without (cpu) (increase(%s[1h]))'
                % host('nf_conntrack_stat_drop_total'),
                '{{instance}}')],
      p.grid(16, y0 + 10, 8, 9),
      { thresholds: p.thresholds([['green', null], ['red', 1]]), decimals: 0 },
      { colorMode: 'background' },
    ),

    p.row('Hash table', y0 + 19),
    p.stat(
      'Buckets',
      'Hash table buckets (nf_conntrack_buckets). Keep the limit at most 4 times this, and equal to it on 5.15 and later.',
      'short',
      [p.target(host('nf_conntrack_buckets'), '{{instance}}')],
      p.grid(0, y0 + 20, 6, 8),
    ),
    p.timeseries(
      'Entries per bucket and mean chain length',
      'Entries per bucket (entries / buckets) and the mean hash chain length (twice that: each entry is hashed in both directions). Above %s lookups slow down, and since 5.15 long chains refuse inserts.'
      % num(c.chainLengthThreshold),
      'short',
      [
        p.target(host('nf_conntrack_bucket_load'),
                 '{{instance}} entries per bucket'),
        p.target(host('instance:nf_conntrack_hash_chain_length:mean'),
                 '{{instance}} mean chain length'),
      ],
      p.grid(6, y0 + 20, 18, 8),
      {
        thresholds: p.thresholds([
          ['green', null],
          ['red', c.chainLengthThreshold],
        ]),
        custom: { thresholdsStyle: { mode: 'line' } },
      },
    ),

    p.row('Headroom and expectations', y0 + 28),
    p.timeseries(
      'What a full table can evict',
      'Entries and assured entries as shares of nf_conntrack_max. At the limit the kernel evicts entries that are not assured (early_drop) for new connections; assured ones (TCP past its handshake, UDP that kept getting replies) it never evicts. With assured entries above %s a full table drops new connections.' % pct(c.criticalThreshold) + optIn('flows'),
      'percentunit',
      [
        p.target(host('instance:nf_conntrack_usage:ratio'),
                 '{{instance}} all entries'),
        p.target(host('instance:nf_conntrack_assured_usage:ratio'),
                 '{{instance}} assured'),
      ],
      p.grid(0, y0 + 29, 12, 8),
      {
        min: 0,
        max: 1,
        thresholds: p.thresholds([
          ['green', null],
          ['red', c.criticalThreshold],
        ]),
        custom: { thresholdsStyle: { mode: 'line' } },
      },
    ),
    p.timeseries(
      'Expectation table',
      "Expectations, the connections helpers (FTP, SIP, H.323, TFTP) announce, as a share of nf_conntrack_expect_max, a limit of their own. When it is full the kernel logs 'expectation table full' and the helpers' data connections fail while the conntrack table looks healthy. Warning at %s." % pct(c.expectNearlyFullThreshold),
      'percentunit',
      [p.target(host('instance:nf_conntrack_expect_usage:ratio'),
                '{{instance}}')],
      p.grid(12, y0 + 29, 12, 8),
      {
        min: 0,
        max: 1,
        thresholds: p.thresholds([
          ['green', null],
          ['red', c.expectNearlyFullThreshold],
        ]),
        custom: { thresholdsStyle: { mode: 'line' } },
      },
    ),

    p.row('Memory and timeouts', y0 + 37),
    p.timeseries(
      'Slab memory and the cost of a full table',
      'Memory the conntrack slab cache holds now, and the kernel memory a table filled to its limit costs (limit x object size + buckets x pointer size).',
      'bytes',
      [
        p.target('sum by (instance) (%s)' % host('nf_conntrack_slab_bytes'),
                 '{{instance}} slab now'),
        p.target(host('nf_conntrack_memory_limit_bytes'),
                 '{{instance}} full table'),
      ],
      p.grid(0, y0 + 38, 12, 8),
    ),
    p.table(
      'Timeouts',
      'Idle timeouts per protocol and state (nf_conntrack_*_timeout* sysctls). The established TCP timeout is 5 days by default.',
      's',
      [p.target(host('nf_conntrack_timeout_seconds'), instant=true)
       { format: 'table' }],
      p.grid(12, y0 + 38, 12, 8),
    ) {
      transformations: [{
        id: 'organize',
        options: {
          excludeByName: { Time: true, __name__: true, job: true },
          renameByName: { Value: 'timeout' },
        },
      }],
    },

    p.row('Exporter', y0 + 46),
    p.stateTimeline(
      'Collector health',
      "1 when the collector read its source on the scrape, 0 when it failed (the exporter's log says why). A failing collector leaves the panels that use its metrics empty.",
      'bool_yes_no',
      [p.target(host('nf_conntrack_scrape_collector_success'),
                '{{instance}} {{collector}}')],
      p.grid(0, y0 + 47, 16, 8),
      {
        thresholds: p.thresholds([['red', null], ['green', 1]]),
        min: 0,
        max: 1,
      },
    ),
    p.timeseries(
      'Collector duration',
      'Time each collector took on the last scrape.',
      's',
      [p.target(host('nf_conntrack_scrape_collector_duration_seconds'),
                '{{instance}} {{collector}}')],
      p.grid(16, y0 + 47, 8, 8),
    ),

    p.row('What fills the table (opt-in collectors)', y0 + 55),
    p.timeseries(
      'Flows by protocol and state',
      "Entries by protocol and state (the TCP state; unreplied, replied or assured for others), stacked, from the exporter's table dump." + optIn('flows') + ' Thousands of time_wait or unreplied UDP point at what fills the table.',
      'short',
      [p.target('sum by (protocol, state) (%s)' % host('nf_conntrack_flows'),
                '{{protocol}} {{state}}')],
      p.grid(0, y0 + 56, 16, 9),
      { custom: { stacking: { mode: 'normal', group: 'A' }, fillOpacity: 40 } },
    ),
    p.stat(
      'Age of the flow data',
      'Seconds since the flows were last dumped.' + optIn('flows') + " Far above the refresh interval means dumps fail or take too long (the exporter's log says why).",
      's',
      [p.target('time() - %s'
                % host('nf_conntrack_flows_last_refresh_timestamp_seconds'),
                '{{instance}}')],
      p.grid(16, y0 + 56, 8, 9),
      { thresholds: p.thresholds([
        ['green', null],
        ['orange', 120],
        ['red', 600],
      ]) },
    ),
    p.timeseries(
      'Flow arrival and expiry',
      'New and destroyed entries per second, from ctnetlink events, and event socket overruns (events lost).' + optIn('events'),
      'cps',
      [
        p.target('sum by (instance, type) (%s)'
                 % rate('nf_conntrack_events_total'), '{{instance}} {{type}}'),
        p.target(rate('nf_conntrack_events_overruns_total'),
                 '{{instance}} overruns'),
      ],
      p.grid(0, y0 + 65, 12, 9),
    ),
    p.bars(
      'Top network namespaces',
      'The ten network namespaces with the most entries; each is compared with the global limit on its own. Named by /run/netns name, else by inode.' + optIn('netns'),
      'short',
      [p.target('topk(10, %s)' % host('nf_conntrack_netns_entries'),
                '{{instance}} {{netns}}',
                instant=true)],
      p.grid(12, y0 + 65, 12, 9),
    ),
    p.bars(
      'Top sources',
      'The sources holding the most entries in the latest table dump: original-direction source address, an IPv6 source as its /64. One address far ahead of the rest is a scanner, a flooding client or a busy NAT. Exact while a dump has at most 6,144 distinct sources; beyond, a count may overstate by nf_conntrack_flows_top_error_bound_entries, no source the sketch did not keep holds more, and a source within it stands for many alike, not a culprit.' + optIn('flows'),
      'short',
      [p.target('topk(10, %s)' % host('nf_conntrack_flows_top_source_entries'),
                '{{instance}} {{address}}',
                instant=true)],
      p.grid(0, y0 + 74, 7, 10),
    ),
    p.bars(
      'Top destinations',
      'The destinations (address, protocol, port) holding the most entries in the latest table dump. A DNS server (udp 53) on top means DNS without notrack; a service with mostly unreplied entries, a SYN flood or a dead backend.' + optIn('flows'),
      'short',
      [p.target('topk(10, %s)'
                % host('nf_conntrack_flows_top_destination_entries'),
                '{{instance}} {{address}} {{protocol}}/{{port}}',
                instant=true)],
      p.grid(7, y0 + 74, 7, 10),
    ),
    p.bars(
      'Established entries by idle time',
      'How long established TCP entries have been idle (the established timeout minus the time they have left), from the latest table dump, one bar per bucket (upper bound in seconds). Entries idle for days are connections whose peers vanished without FIN or RST: a shorter nf_conntrack_tcp_timeout_established would have expired them.' + optIn('flows'),
      'short',
      [p.target('sum by (le) (%s)'
                % host('nf_conntrack_flows_idle_seconds_bucket', established),
                '{{le}}',
                instant=true) { format: 'heatmap' }],
      p.grid(14, y0 + 74, 6, 10),
    ),
    p.bars(
      'Top source-NAT tuples',
      'The source-NAT tuples (the address traffic leaves with, the destination, its port and protocol) with the most source ports in use, as a share of the ports one tuple can use (--collector.flows.snat-ports). At 100 %% a new connection to that destination fails at insert on a table far from full: snat to more addresses, random-fully, shorter UDP timeouts, connection reuse.' + optIn('flows'),
      'percentunit',
      [p.target('topk(10, %s\n/ ignoring(nat_address, destination, port, protocol) group_left\n%s)'
                % [
                  host('nf_conntrack_flows_top_snat_ports_in_use'),
                  host('nf_conntrack_flows_snat_ports_available'),
                ],
                '{{instance}} {{nat_address}} -> {{destination}} {{protocol}}/{{port}}',
                instant=true)],
      p.grid(0, y0 + 84, 12, 10),
      { min: 0, max: 1, thresholds: p.thresholds([
        ['green', null],
        ['red', c.snatPortsThreshold],
      ]) },
    ),
    p.table(
      'Top sources by workload',
      "The top sources of the latest table dump named by the network namespace that has the address (nf_conntrack_address_info) and what lives there (nf_conntrack_netns_info: hostname, which is a pod's name, pod UID, container ID)." + optIn('flows') + optIn('netns'),
      'short',
      [p.target('topk(10, %s)\n* on(instance, address) group_left(netns) %s\n* on(instance, netns) group_left(hostname, pod_uid, container_id) %s'
                % [
                  host('nf_conntrack_flows_top_source_entries'),
                  host('nf_conntrack_address_info'),
                  host('nf_conntrack_netns_info'),
                ],
                instant=true) { format: 'table' }],
      p.grid(12, y0 + 84, 12, 10),
    ),
    p.stat(
      'Established idle > 10 h',
      'Established TCP entries idle for more than 10 hours in the latest dump: what nf_conntrack_tcp_timeout_established=36000 would have expired already (run nf_conntrack_exporter doctor for the figures at other values and the commands).' + optIn('flows'),
      'short',
      [p.target('sum by (instance) (%s) - sum by (instance) (%s)'
                % [
                  host('nf_conntrack_flows_idle_seconds_count', established),
                  host('nf_conntrack_flows_idle_seconds_bucket',
                       established + ['le="36000"']),
                ],
                '{{instance}}',
                instant=true)],
      p.grid(20, y0 + 74, 4, 10),
      {},
      { colorMode: 'value' },
    ),
  ];
  {
    uid: c.dashboardUID,
    title: c.dashboardTitle,
    description: 'nf_conntrack_exporter: how full the connection tracking table is, how close it is to dropping packets, and why. The Fleet row ranks every instance of $job; the rows below show the instances chosen in $instance, the first one by default. The links open the runbook and the status page of the exporter on $instance.',
    tags: c.dashboardTags,
    timezone: '',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 38,
    version: 1,
    refresh: c.dashboardRefresh,
    time: { from: 'now-6h', to: 'now' },
    // Both open on the instance chosen in $instance (one by default).
    links: [
      dashboardLink(
        'Runbook',
        std.rstripChars(runbookPage, '#'),
        "What each alert means and how to fix it: the runbook of $instance (the alerts' runbook_url).",
        'doc',
      ),
      dashboardLink(
        'Status page (doctor)',
        statusPage,
        "The exporter's own page on $instance: the table now, its last hour, and the doctor's findings.",
        'dashboard',
      ),
    ],
    annotations: { list: [
      {
        local limit = host('nf_conntrack_entries_limit'),
        name: 'nf_conntrack_max changed',
        datasource: { type: 'prometheus', uid: '${datasource}' },
        enable: true,
        hide: false,
        iconColor: 'orange',
        // The limit as a label: Grafana's annotation text shows labels,
        // not values. 1 for each change, and Grafana marks only values > 0.
        expr: 'count_values without () ("nf_conntrack_max", %s and changes(%s[2m]) > 0)'
              % [limit, limit],
        step: '1m',
        titleFormat: 'nf_conntrack_max changed',
        textFormat: '{{instance}}: nf_conntrack_max is now {{nf_conntrack_max}}',
        tagKeys: 'instance',
      },
    ] },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          hide: 0,
          refresh: 1,
          regex: '',
        },
      ] + [
        {
          local q = 'label_values(%s, %s)'
                    % [promql.metric('nf_conntrack_exporter_build_info',
                                     [c.selector] + v.matchers), v.name],
          name: v.name,
          label: v.label,
          type: 'query',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          query: { query: q, refId: v.name + '-var' },
          refresh: 2,
          multi: true,
          includeAll: v.all,
          [if v.all then 'allValue']: '.+',
          sort: 1,
          hide: 0,
        }
        for v in [
          { name: 'job', label: 'Job', matchers: [], all: true },
          // No All and no saved value: the host rows open on the first
          // instance (the Fleet row ranks them all); more can be chosen.
          { name: 'instance', label: 'Instance', matchers: [job], all: false },
        ]
      ],
    },
    panels: std.mapWithIndex(function(i, panel) panel { id: i + 1 },
                             fleetRow + hostRows),
  }

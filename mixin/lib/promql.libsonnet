// SPDX-License-Identifier: Apache-2.0
// Selectors built from _config.selector plus a query's own matchers.
{
  // m('nf_conntrack_entries', 'a="b"', 'c=~"d"'): the metric with every
  // non-empty matcher, and no braces when there is none.
  metric(name, matchers=[]):
    local all = std.filter(function(s) s != '', matchers);
    if std.length(all) == 0 then name else '%s{%s}' % [name, std.join(',', all)],

  // Source ports in use of the top source-NAT tuples at their least: the
  // reported count less the list's error bound (0 while it is exact), so
  // that past the sketch's capacity a tuple in the noise pages nobody; the
  // count as reported where no bound is scraped.
  snatPortsInUse(selector):
    local inUse = self.metric('nf_conntrack_flows_top_snat_ports_in_use', [selector]);
    '(\n  clamp_min(\n    %s\n    - ignoring(list, nat_address, destination, port, protocol) group_left\n    %s,\n    0\n  )\n  or\n  %s\n)' % [
      inUse,
      self.metric('nf_conntrack_flows_top_error_bound_entries', [selector, 'list="snat"']),
      inUse,
    ],

  // A number as PromQL and people write it: 0.9, not 0.90000000000000002.
  num(x): '%g' % x,

  // A Prometheus duration in words: '5m' -> '5 minutes', '1h' -> '1 hour'.
  words(duration):
    local n = std.parseInt(std.substr(duration, 0, std.length(duration) - 1));
    local unit = {
      s: 'second',
      m: 'minute',
      h: 'hour',
      d: 'day',
    }[duration[std.length(duration) - 1]];
    '%d %s%s' % [n, unit, if n == 1 then '' else 's'],
}

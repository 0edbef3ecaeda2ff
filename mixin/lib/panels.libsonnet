// SPDX-License-Identifier: Apache-2.0
// Grafana panels as this dashboard uses them: every panel reads the
// $datasource variable, has a description and a unit.
local datasource = { type: 'prometheus', uid: '${datasource}' };
local lastValue = { calcs: ['lastNotNull'], fields: '', values: false };

{
  // A query; `instant` for panels that show the latest value only.
  target(expr, legend=null, instant=false):: {
    datasource: datasource,
    expr: expr,
    [if legend != null then 'legendFormat']: legend,
    [if instant then 'instant']: true,
  },

  // Thresholds from [[color, value], ...], the first value null (base).
  thresholds(steps):: {
    mode: 'absolute',
    steps: [{ color: s[0], value: s[1] } for s in steps],
  },

  grid(x, y, w, h):: { x: x, y: y, w: w, h: h },

  // A field override for the series of one query (by refId): `properties`,
  // [{ id: 'color', value: ... }, ...].
  queryStyle(refId, properties):: {
    matcher: { id: 'byFrameRefID', options: refId },
    properties: properties,
  },

  // Data links, [{ title, url, targetBlank }], on the series of one query.
  queryLinks(refId, links):: self.queryStyle(refId, [{ id: 'links', value: links }]),

  row(title, y):: {
    type: 'row',
    title: title,
    collapsed: false,
    panels: [],
    gridPos: { x: 0, y: y, w: 24, h: 1 },
  },

  // The common part; `defaults` go into fieldConfig.defaults.
  panel(type, title, description, unit, targets, gridPos, defaults={}):: {
    type: type,
    title: title,
    description: description,
    datasource: datasource,
    gridPos: gridPos,
    fieldConfig: { defaults: { unit: unit } + defaults, overrides: [] },
    targets: [
      t { refId: std.char(std.codepoint('A') + i) }
      for i in std.range(0, std.length(targets) - 1)
      for t in [targets[i]]
    ],
  },

  timeseries(title, description, unit, targets, gridPos, defaults={})::
    self.panel('timeseries',
               title,
               description,
               unit,
               targets,
               gridPos,
               defaults),

  stat(title, description, unit, targets, gridPos, defaults={}, options={})::
    self.panel('stat', title, description, unit, targets, gridPos, defaults) {
      options: { reduceOptions: lastValue, graphMode: 'none' } + options,
    },

  gauge(title, description, unit, targets, gridPos, defaults={})::
    self.panel('gauge', title, description, unit, targets, gridPos, defaults) {
      options: {
        reduceOptions: lastValue,
        showThresholdMarkers: true,
        showThresholdLabels: false,
      },
    },

  // Horizontal bars of the latest value, one per series.
  bars(title, description, unit, targets, gridPos, defaults={})::
    self.panel('bargauge',
               title,
               description,
               unit,
               targets,
               gridPos,
               defaults) {
      options: {
        orientation: 'horizontal',
        displayMode: 'gradient',
        reduceOptions: lastValue,
      },
    },

  table(title, description, unit, targets, gridPos, defaults={})::
    self.panel('table', title, description, unit, targets, gridPos, defaults),

  stateTimeline(title, description, unit, targets, gridPos, defaults={})::
    self.panel('state-timeline',
               title,
               description,
               unit,
               targets,
               gridPos,
               defaults),
}

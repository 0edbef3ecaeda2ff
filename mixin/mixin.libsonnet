// SPDX-License-Identifier: Apache-2.0
// nf_conntrack_exporter's monitoring mixin: alerts, recording rules and the
// dashboard, from one _config (config.libsonnet).
(import 'config.libsonnet') +
(import 'rules/rules.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'dashboards/dashboards.libsonnet')

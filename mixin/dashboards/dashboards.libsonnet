// SPDX-License-Identifier: Apache-2.0
{
  grafanaDashboards+:: {
    'nf-conntrack.json': (import 'nf-conntrack.libsonnet')($._config),
  },
}

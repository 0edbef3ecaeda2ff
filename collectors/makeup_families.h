// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <vector>

#include "collectors/makeup/table_makeup.h"
#include "prometheus/metric_family.h"

namespace nfce {

// The flows collector's families of one dump: nf_conntrack_flows, the SNAT
// counts, the top lists with their error bound, and the idle histograms.
// `snat_ports` is what a SNAT tuple can use (--collector.flows.snat-ports).
void AppendMakeupFamilies(const TableMakeup& makeup, int snat_ports,
                          std::vector<prometheus::MetricFamily>* out);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <CivetServer.h>

namespace nfce {

// civetweb callbacks that refuse what the exporter never serves, before any
// handler runs, with a clean status line (see request_guard.cc). The
// CivetServer's user context must be its HttpPolicy.
int BeginRequest(mg_connection* conn);
// A request was answered (the front door's bookkeeping).
void EndRequest(const mg_connection* conn, int status);
int HttpError(mg_connection* conn, int status, const char* message);

}  // namespace nfce

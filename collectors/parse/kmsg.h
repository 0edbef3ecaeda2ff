// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace nfce {

// One record of /dev/kmsg ("prio,seq,usec,flags;message"), or one line of a
// saved log (no header: usec 0, the whole line is the message).
struct KmsgRecord {
  double usec = 0;  // the kernel's timestamp, microseconds since boot
  absl::string_view message;
};
KmsgRecord ParseKmsgRecord(absl::string_view record, bool with_header);

// "nf_conntrack: nf_conntrack: table full, ..." as the kernel prints it
// (pr_fmt adds the prefix the message already carries) -> one prefix.
std::string TidyKernelLine(absl::string_view message);

}  // namespace nfce

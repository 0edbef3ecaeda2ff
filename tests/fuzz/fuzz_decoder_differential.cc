// SPDX-License-Identifier: Apache-2.0
// Differential libFuzzer target: the same ctnetlink message to our decoder
// and to libnetfilter_conntrack. Where the library accepts a message, ours
// must decode the same fields or refuse it with an error; a silent
// disagreement aborts, with both readings printed.
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "collectors/parse/flow_parser.h"
#include "tests/fuzz/netlink_input.h"
#include "tests/reference/reference_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // As the receive path delivers it: nlmsg_len within what was received,
  // and at least the nfnetlink header (libmnl checks the one, both decoders
  // the other; the library reads the header unchecked).
  constexpr size_t kHeader = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  std::vector<uint8_t> buf = nfce::fuzz::AsReceived(data, size);
  if (buf.size() < kHeader) return 0;
  const nlmsghdr* nlh = nfce::fuzz::Header(buf);

  absl::StatusOr<nfce::FlowKey> ours = nfce::ParseConntrackMessage(nlh);
  std::optional<nfce::ReferenceEntry> reference = nfce::ReferenceDecode(nlh);
  if (!ours.ok() || !reference) return 0;
  std::string diff = nfce::Differences(*ours, reference->key);
  if (!diff.empty()) {
    std::fprintf(stderr, "the decoders disagree silently:\n%s", diff.c_str());
    std::abort();
  }
  return 0;
}

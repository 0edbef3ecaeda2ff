// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: what names a network namespace: /proc/<pid>/cgroup text
// and RTM_NEWADDR messages (the first byte picks which).
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/strings/string_view.h"
#include "collectors/parse/cgroup.h"
#include "collectors/parse/ifaddr.h"
#include "tests/fuzz/netlink_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t which = data[0];
  ++data;
  --size;
  if (which % 2 == 0) {
    (void)nfce::ParseCgroupIdentity(
        absl::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
  }
  if (size < sizeof(nlmsghdr)) return 0;
  // As mnl_cb_run hands it over: never longer than what was received.
  std::vector<uint8_t> buf(data, data + size);
  nlmsghdr hdr;
  std::memcpy(&hdr, buf.data(), sizeof(hdr));
  if (hdr.nlmsg_len > size) hdr.nlmsg_len = static_cast<uint32_t>(size);
  std::memcpy(buf.data(), &hdr, sizeof(hdr));
  auto a =
      nfce::ParseAddressMessage(reinterpret_cast<const nlmsghdr*>(buf.data()));
  if (a.ok()) (void)nfce::AddressText(a->family, a->address, true);
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace nfce::fuzz {

// Fuzzer bytes as the receive path delivers a netlink message (mnl_cb_run
// checks nlmsg_len against what was received): a buffer of exactly
// nlmsg_len bytes, so that ASan sees any over-read. Empty if too short for
// a header.
inline std::vector<uint8_t> AsReceived(const uint8_t* data, size_t size) {
  if (size < sizeof(nlmsghdr)) return {};
  nlmsghdr hdr;
  std::memcpy(&hdr, data, sizeof(hdr));
  if (hdr.nlmsg_len > size) hdr.nlmsg_len = static_cast<uint32_t>(size);
  if (hdr.nlmsg_len < sizeof(nlmsghdr)) return {};
  std::vector<uint8_t> buf(data, data + hdr.nlmsg_len);
  std::memcpy(buf.data(), &hdr, sizeof(hdr));
  return buf;
}

inline const nlmsghdr* Header(const std::vector<uint8_t>& buf) {
  return reinterpret_cast<const nlmsghdr*>(buf.data());
}

}  // namespace nfce::fuzz

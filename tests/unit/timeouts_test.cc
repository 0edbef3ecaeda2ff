// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/timeout_name.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

void ExpectKey(absl::string_view name, const std::string& protocol,
               const std::string& state) {
  std::optional<TimeoutKey> k = ParseTimeoutSysctlName(name);
  ASSERT_TRUE(k.has_value()) << name;
  EXPECT_EQ(k->protocol, protocol) << name;
  EXPECT_EQ(k->state, state) << name;
}

TEST(ParseTimeoutSysctlName, SplitsProtocolAndState) {
  ExpectKey("tcp_timeout_established", "tcp", "established");
  ExpectKey("tcp_timeout_max_retrans", "tcp", "max_retrans");
  ExpectKey("udp_timeout", "udp", "default");
  ExpectKey("udp_timeout_stream", "udp", "stream");
  ExpectKey("icmpv6_timeout", "icmpv6", "default");
  ExpectKey("sctp_timeout_cookie_echoed", "sctp", "cookie_echoed");
}

TEST(ParseTimeoutSysctlName, SkipsOtherSysctls) {
  for (absl::string_view name :
       {"frag6_timeout", "tcp_max_retrans", "max", "count", "_timeout",
        "tcp_timeoutx", "tcp_timeout_", "expect_max"}) {
    EXPECT_FALSE(ParseTimeoutSysctlName(name).has_value()) << name;
  }
}

}  // namespace
}  // namespace nfce

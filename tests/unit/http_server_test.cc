#include "exporter/http_server.h"

#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(CivetListeningPort, ConvertsPrometheusAddresses) {
  EXPECT_EQ(*CivetListeningPort(":19372", false), "19372");
  EXPECT_EQ(*CivetListeningPort("0.0.0.0:19372", false), "0.0.0.0:19372");
  EXPECT_EQ(*CivetListeningPort("localhost:80", false), "127.0.0.1:80");
  EXPECT_EQ(*CivetListeningPort("[::1]:19372", true), "[::1]:19372");
}

TEST(CivetListeningPort, IPv6NeedsCivetwebSupport) {
  absl::StatusOr<std::string> p = CivetListeningPort("[::1]:19372", false);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("no IPv6 support"),
            absl::string_view::npos);
}

TEST(CivetListeningPort, RejectsBadAddresses) {
  for (const char* a : {"19372", "host:", "host:port", ":70000", "::1:80"}) {
    EXPECT_FALSE(CivetListeningPort(a, true).ok()) << a;
  }
}

}  // namespace
}  // namespace nfce

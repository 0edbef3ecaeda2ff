#include "exporter/http_server.h"

#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(CivetListeningPort, ConvertsPrometheusAddresses) {
  EXPECT_EQ(*CivetListeningPort(":19372"), "19372");
  EXPECT_EQ(*CivetListeningPort("0.0.0.0:19372"), "0.0.0.0:19372");
  EXPECT_EQ(*CivetListeningPort("localhost:80"), "127.0.0.1:80");
  EXPECT_EQ(*CivetListeningPort("[::1]:19372"), "[::1]:19372");
}

TEST(CivetListeningPort, RejectsBadAddresses) {
  for (const char* a : {"19372", "host:", "host:port", ":70000", "::1:80"}) {
    EXPECT_FALSE(CivetListeningPort(a).ok()) << a;
  }
}

}  // namespace
}  // namespace nfce

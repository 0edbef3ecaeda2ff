// SPDX-License-Identifier: Apache-2.0
#include "exporter/flags/flag_table.h"

#include "gtest/gtest.h"

namespace nfce {
namespace {

enum class Colour { kRed, kBlue };

struct Values {
  std::string name = "x";
  bool on = true;
  int count = 3;
  absl::Duration every = absl::Seconds(5);
  Colour colour = Colour::kBlue;
  bool help = false;
};

std::vector<FlagGroup> Table(Values* v) {
  return {{"Test",
           {StringFlag("name", &v->name, "A name."),
            BoolFlag("on", &v->on, "A switch."),
            IntFlag("count", &v->count, 1, 10, "A count."),
            DurationFlag("every", &v->every, absl::Seconds(1),
                         absl::InfiniteDuration(), "An interval."),
            ChoiceFlag<Colour>("colour", &v->colour,
                               {{"red", Colour::kRed}, {"blue", Colour::kBlue}},
                               "A colour."),
            ActionFlag("help", &v->help, "Show this help.")}}};
}

TEST(FlagTable, DefaultsAreTheDestinationsAsTheyWere) {
  Values v;
  std::string help = FlagTableHelp(Table(&v));
  for (const char* shown :
       {"--name=\"x\"", "--[no-]on  (on by default)", "--count=3", "--every=5s",
        "--colour=blue", "-h, --help"}) {
    EXPECT_NE(help.find(shown), std::string::npos) << shown << "\n" << help;
  }
}

TEST(FlagTable, EverySpelling) {
  Values v;
  auto given = ParseFlagTable(Table(&v), {"--name", "y", "--no-on", "--count=7",
                                          "--every=2m", "--colour=red", "-h"});
  ASSERT_TRUE(given.ok()) << given.status();
  EXPECT_EQ(v.name, "y");
  EXPECT_FALSE(v.on);
  EXPECT_EQ(v.count, 7);
  EXPECT_EQ(v.every, absl::Minutes(2));
  EXPECT_EQ(v.colour, Colour::kRed);
  EXPECT_TRUE(v.help);
  EXPECT_EQ(given->count("count"), 1u);
  EXPECT_EQ(given->count("on"), 1u);
  Values w;
  ASSERT_TRUE(ParseFlagTable(Table(&w), {"--on=false", "--name="}).ok());
  EXPECT_FALSE(w.on);
  EXPECT_EQ(w.name, "");
}

TEST(FlagTable, RefusesWhatItCannotTakeNamingIt) {
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"--count=11"},
                                             {"--count=+2"},
                                             {"--every=0s"},
                                             {"--colour=green"},
                                             {"--on=maybe"},
                                             {"--no-on=true"},
                                             {"--no-count"},
                                             {"--name"},
                                             {"--bogus"},
                                             {"stray"},
                                             {"--"}}) {
    Values v;
    auto given = ParseFlagTable(Table(&v), args);
    ASSERT_FALSE(given.ok()) << args[0];
    EXPECT_EQ(given.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string flag = args[0].substr(0, args[0].find('='));
    EXPECT_NE(given.status().message().find(flag.rfind("--no-", 0) == 0
                                                ? flag.substr(5)
                                                : flag.substr(2)),
              std::string::npos)
        << given.status();
  }
}

}  // namespace
}  // namespace nfce

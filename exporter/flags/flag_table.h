// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace nfce {

// One command-line flag: its name, its default, its help and where its
// value goes. The default is whatever the destination holds when the spec
// is made, so it is written once, where the option is declared, and --help
// shows it from there.
struct FlagSpec {
  std::string name;          // without the dashes: "web.listen-address"
  std::string default_text;  // as --help shows it; "" for a boolean
  std::string help;          // one paragraph; --help wraps it
  bool boolean = false;      // --name, --no-name, --name=true|false
  bool action = false;       // a boolean that asks for something: --help
  // Parses `value` into the destination; InvalidArgument naming the flag if
  // it is not acceptable.
  std::function<absl::Status(absl::string_view value)> set;
};

struct FlagGroup {
  std::string title;  // "Web", "Paths", ...
  std::vector<FlagSpec> flags;
};

FlagSpec StringFlag(std::string name, std::string* dest, std::string help,
                    std::function<absl::Status(absl::string_view)> check = {});
// Repeatable: the first use replaces the default list, later ones add to it.
FlagSpec StringListFlag(std::string name, std::vector<std::string>* dest,
                        std::string help);
FlagSpec BoolFlag(std::string name, bool* dest, std::string help);
// --help, --version: a switch without a default to show.
FlagSpec ActionFlag(std::string name, bool* dest, std::string help);
// Digits only (no sign, no space), from `low` to `high`.
FlagSpec IntFlag(std::string name, int* dest, int low, int high,
                 std::string help);
// A decimal number from `low` to `high` ("0.05").
FlagSpec NumberFlag(std::string name, double* dest, double low, double high,
                    std::string help);
FlagSpec DurationFlag(std::string name, absl::Duration* dest,
                      absl::Duration low, absl::Duration high,
                      std::string help);
// One of a fixed set of words, each standing for a value.
template <typename T>
FlagSpec ChoiceFlag(std::string name, T* dest,
                    std::vector<std::pair<std::string, T>> choices,
                    std::string help);

// Parses `args` in the Prometheus exporters' spelling: --name=value or
// --name value; booleans as --name, --no-name or --name=true|false; "-h" is
// --help. Returns the names of the flags given; InvalidArgument for anything
// it cannot take, naming it.
absl::StatusOr<std::set<std::string>> ParseFlagTable(
    const std::vector<FlagGroup>& groups, const std::vector<std::string>& args);

// The groups and their flags as --help shows them, each help wrapped.
std::string FlagTableHelp(const std::vector<FlagGroup>& groups);

// `text` wrapped at 78 columns, each line starting with `indent` spaces.
std::string Wrap(absl::string_view text, size_t indent);

// --- template definition
std::string ChoiceList(const std::vector<std::string>& words);
template <typename T>
FlagSpec ChoiceFlag(std::string name, T* dest,
                    std::vector<std::pair<std::string, T>> choices,
                    std::string help) {
  std::string current;
  std::vector<std::string> words;
  for (const auto& [word, value] : choices) {
    words.push_back(word);
    if (value == *dest) current = word;
  }
  FlagSpec spec;
  spec.name = name;
  spec.default_text = current;
  spec.help = std::move(help);
  spec.set = [name, dest, choices, words](absl::string_view v) {
    for (const auto& [word, value] : choices) {
      if (v == word) {
        *dest = value;
        return absl::OkStatus();
      }
    }
    return absl::InvalidArgumentError(std::string("--") + name + " must be " +
                                      ChoiceList(words) + ", not \"" +
                                      std::string(v) + "\"");
  };
  return spec;
}

}  // namespace nfce

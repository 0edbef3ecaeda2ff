// SPDX-License-Identifier: Apache-2.0
#include "exporter/flags/flag_table.h"

#include <map>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace nfce {
namespace {

absl::Status Bad(absl::string_view name, absl::string_view want,
                 absl::string_view value) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", name, " must be ", want, ", not \"", value, "\""));
}

std::string Quoted(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

FlagSpec Spec(std::string name, std::string default_text, std::string help,
              bool boolean) {
  FlagSpec spec;
  spec.name = std::move(name);
  spec.default_text = std::move(default_text);
  spec.help = std::move(help);
  spec.boolean = boolean;
  return spec;
}

}  // namespace

std::string ChoiceList(const std::vector<std::string>& words) {
  if (words.size() < 2) return absl::StrJoin(words, "");
  return absl::StrCat(absl::StrJoin(words.begin(), words.end() - 1, ", "),
                      " or ", words.back());
}

FlagSpec StringFlag(std::string name, std::string* dest, std::string help,
                    std::function<absl::Status(absl::string_view)> check) {
  FlagSpec spec = Spec(name, Quoted(*dest), std::move(help), false);
  spec.set = [dest, check](absl::string_view v) {
    if (check) {
      if (absl::Status s = check(v); !s.ok()) return s;
    }
    *dest = std::string(v);
    return absl::OkStatus();
  };
  return spec;
}

FlagSpec StringListFlag(std::string name, std::vector<std::string>* dest,
                        std::string help) {
  std::vector<std::string> quoted;
  for (const std::string& d : *dest) quoted.push_back(Quoted(d));
  FlagSpec spec =
      Spec(std::move(name), absl::StrJoin(quoted, " "), std::move(help), false);
  auto replaced = std::make_shared<bool>(false);
  spec.set = [dest, replaced](absl::string_view v) {
    if (!*replaced) dest->clear();
    *replaced = true;
    dest->emplace_back(v);
    return absl::OkStatus();
  };
  return spec;
}

FlagSpec BoolFlag(std::string name, bool* dest, std::string help) {
  FlagSpec spec = Spec(name, *dest ? "on" : "off", std::move(help), true);
  spec.set = [name, dest](absl::string_view v) {
    if (v == "true" || v == "1") {
      *dest = true;
    } else if (v == "false" || v == "0") {
      *dest = false;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " takes true or false, not \"", v, "\""));
    }
    return absl::OkStatus();
  };
  return spec;
}

FlagSpec ActionFlag(std::string name, bool* dest, std::string help) {
  FlagSpec spec = BoolFlag(std::move(name), dest, std::move(help));
  spec.action = true;
  return spec;
}

FlagSpec IntFlag(std::string name, int* dest, int low, int high,
                 std::string help) {
  FlagSpec spec = Spec(name, absl::StrCat(*dest), std::move(help), false);
  spec.set = [name, dest, low, high](absl::string_view v) {
    // Digits only: SimpleAtoi alone takes "+8" and " 8".
    int parsed = 0;
    if (v.empty() || v.size() > 9 ||
        v.find_first_not_of("0123456789") != absl::string_view::npos ||
        !absl::SimpleAtoi(v, &parsed) || parsed < low || parsed > high) {
      return Bad(name, absl::StrCat(low, " to ", high), v);
    }
    *dest = parsed;
    return absl::OkStatus();
  };
  return spec;
}

FlagSpec NumberFlag(std::string name, double* dest, double low, double high,
                    std::string help) {
  FlagSpec spec = Spec(name, absl::StrCat(*dest), std::move(help), false);
  spec.set = [name, dest, low, high](absl::string_view v) {
    double parsed = 0;
    if (v.empty() ||
        v.find_first_not_of("0123456789.") != absl::string_view::npos ||
        !absl::SimpleAtod(v, &parsed) || parsed < low || parsed > high) {
      return Bad(name, absl::StrCat("a number from ", low, " to ", high), v);
    }
    *dest = parsed;
    return absl::OkStatus();
  };
  return spec;
}

FlagSpec DurationFlag(std::string name, absl::Duration* dest,
                      absl::Duration low, absl::Duration high,
                      std::string help) {
  FlagSpec spec =
      Spec(name, absl::FormatDuration(*dest), std::move(help), false);
  spec.set = [name, dest, low, high](absl::string_view v) {
    absl::Duration parsed;
    if (!absl::ParseDuration(v, &parsed) || parsed < low || parsed > high) {
      return Bad(
          name,
          high == absl::InfiniteDuration()
              ? absl::StrCat("a duration of ", absl::FormatDuration(low),
                             " or more")
              : absl::StrCat("a duration from ", absl::FormatDuration(low),
                             " to ", absl::FormatDuration(high)),
          v);
    }
    *dest = parsed;
    return absl::OkStatus();
  };
  return spec;
}

absl::StatusOr<std::set<std::string>> ParseFlagTable(
    const std::vector<FlagGroup>& groups,
    const std::vector<std::string>& args) {
  std::map<absl::string_view, const FlagSpec*> by_name;
  for (const FlagGroup& g : groups) {
    for (const FlagSpec& f : g.flags) by_name[f.name] = &f;
  }
  std::set<std::string> given;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "-h" && by_name.count("help")) arg = "--help";
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\" (see --help)"));
    }
    absl::string_view body = arg.substr(2);
    absl::string_view name = body;
    std::optional<absl::string_view> value;
    if (size_t eq = body.find('='); eq != absl::string_view::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
    }
    auto it = by_name.find(name);
    bool negated = false;
    if (it == by_name.end() && absl::ConsumePrefix(&name, "no-")) {
      negated = true;
      it = by_name.find(name);
    }
    if (it == by_name.end() || (negated && !it->second->boolean)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown flag --", body.substr(0, body.find('=')), " (see --help)"));
    }
    const FlagSpec& flag = *it->second;
    if (flag.boolean) {
      if (negated && value) {
        return absl::InvalidArgumentError(
            absl::StrCat("--no-", name, " takes no value"));
      }
      if (!value) value = negated ? "false" : "true";
    } else if (!value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value"));
      }
      value = args[++i];
    }
    if (absl::Status s = flag.set(*value); !s.ok()) return s;
    given.insert(flag.name);
  }
  return given;
}

std::string Wrap(absl::string_view text, size_t indent) {
  constexpr size_t kWidth = 78;
  std::string out, line;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (!line.empty() && indent + line.size() + 1 + word.size() > kWidth) {
      absl::StrAppend(&out, std::string(indent, ' '), line, "\n");
      line.clear();
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", word);
  }
  if (!line.empty())
    absl::StrAppend(&out, std::string(indent, ' '), line, "\n");
  return out;
}

std::string FlagTableHelp(const std::vector<FlagGroup>& groups) {
  std::string out;
  for (const FlagGroup& g : groups) {
    if (g.flags.empty()) continue;
    absl::StrAppend(&out, "\n", g.title, ":\n");
    for (const FlagSpec& f : g.flags) {
      if (f.action) {
        absl::StrAppend(&out, f.name == "help" ? "  -h, --" : "  --", f.name,
                        "\n");
      } else if (f.boolean) {
        absl::StrAppend(&out, "  --[no-]", f.name, "  (", f.default_text,
                        " by default)\n");
      } else {
        absl::StrAppend(&out, "  --", f.name, "=", f.default_text, "\n");
      }
      absl::StrAppend(&out, Wrap(f.help, 6));
    }
  }
  return out;
}

}  // namespace nfce

#include "tools/cli/command_line.h"

#include <cstdint>
#include <cstdlib>
#include <iostream>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

namespace smartshop::cli {
namespace {

constexpr size_t kHelpWidth = 79;

const FlagSpec* FindSpec(const Command& command, absl::string_view name) {
  for (const FlagSpec& spec : command.flags) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

absl::CommandLineFlag& FlagOf(const FlagSpec& spec) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(spec.flag_name());
  // A spec naming no flag is a bug in the command table, not user input.
  if (flag == nullptr) {
    std::cerr << "smartshop: no Abseil flag " << spec.flag_name()
              << " (a bug in the command table)\n";
    std::abort();
  }
  return *flag;
}

bool IsHelp(absl::string_view name) {
  return name == "help" || name == "h" || name == "helpfull" ||
         name == "helpshort";
}

std::string TypeName(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<bool>()) return "bool";
  if (flag.IsOfType<int>() || flag.IsOfType<int64_t>()) return "int";
  if (flag.IsOfType<absl::Duration>()) return "duration";
  return "string";
}

std::string Unknown(const Command& command, absl::string_view arg) {
  return absl::StrCat("unknown flag ", arg, " for \"", command.name,
                      "\"; the flags are --",
                      absl::StrJoin(command.flags, ", --",
                                    [](std::string* out, const FlagSpec& s) {
                                      absl::StrAppend(out, s.name);
                                    }));
}

// `text` in lines of at most `width` characters (a longer word stays whole),
// each starting with `indent`.
std::string Wrap(absl::string_view text, absl::string_view indent,
                 size_t width) {
  std::string wrapped;
  std::string line(indent);
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
      absl::StrAppend(&wrapped, line, "\n");
      line = std::string(indent);
    }
    if (line.size() > indent.size()) line += ' ';
    absl::StrAppend(&line, word);
  }
  absl::StrAppend(&wrapped, line, "\n");
  return wrapped;
}

}  // namespace

int ExitCode(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == absl::StatusCode::kInvalidArgument) return kExitUsage;
  return kExitFailed;
}

absl::StatusOr<Invocation> ParseCommandArgs(
    const Command& command, absl::Span<const std::string> args) {
  Invocation invocation;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--") {
      if (i + 1 < args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected argument \"", args[i + 1], "\": \"",
                         command.name, "\" takes flags only"));
      }
      break;
    }
    absl::string_view body = arg;
    if (!absl::ConsumePrefix(&body, "--") && !absl::ConsumePrefix(&body, "-")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\": \"", command.name,
                       "\" takes flags only (--name=value)"));
    }
    const size_t equals = body.find('=');
    absl::string_view name = body.substr(0, equals);
    if (IsHelp(name)) {
      invocation.help = true;
      return invocation;
    }
    const FlagSpec* spec = FindSpec(command, name);
    bool negated = false;
    if (spec == nullptr && absl::ConsumePrefix(&name, "no")) {
      spec = FindSpec(command, name);
      negated = spec != nullptr;
      if (negated && !FlagOf(*spec).IsOfType<bool>()) spec = nullptr;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          Unknown(command, arg.substr(0, arg.find('='))));
    }
    absl::CommandLineFlag& flag = FlagOf(*spec);
    std::string value;
    if (equals != absl::string_view::npos) {
      if (negated) {
        return absl::InvalidArgumentError(
            absl::StrCat(arg.substr(0, arg.find('=')), " takes no value"));
      }
      value = std::string(body.substr(equals + 1));
    } else if (flag.IsOfType<bool>()) {
      value = negated ? "false" : "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", spec->name, " needs a value (--", spec->name, "=",
                       TypeName(flag) == "string" ? "TEXT" : "VALUE", ")"));
    }
    std::string error;
    if (!flag.ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", spec->name, "=", value, ": not a valid ",
                       TypeName(flag), " (", error, ")"));
    }
    invocation.given.insert(std::string(spec->flag_name()));
  }
  return invocation;
}

std::string CommandHelp(absl::string_view program, const Command& command) {
  std::string text =
      absl::StrCat("Usage: ", program, " ", command.usage, "\n\nFlags:\n");
  for (const FlagSpec& spec : command.flags) {
    const absl::CommandLineFlag& flag = FlagOf(spec);
    const std::string type = TypeName(flag);
    std::string fallback = flag.DefaultValue();
    if (type == "string") fallback = absl::StrCat("\"", fallback, "\"");
    absl::StrAppend(
        &text, "  --", spec.name, " (", type, ", default ", fallback, ")\n",
        Wrap(spec.help.empty() ? flag.Help() : std::string(spec.help), "      ",
             kHelpWidth));
  }
  absl::StrAppend(&text, "  --help\n      print this and exit\n");
  return text;
}

}  // namespace smartshop::cli

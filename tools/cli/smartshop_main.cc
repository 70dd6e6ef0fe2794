// smartshop: one command line for the SmartShop services (see commands.h).
#include <iostream>
#include <string>
#include <vector>

#include "common/env_flags.h"
#include "tools/cli/commands.h"

int main(int argc, char** argv) {
  // The addresses are the same for every command a shell session runs, so
  // they may come from the environment; a flag still wins.
  const smartshop::FlagEnv kEnv[] = {
      {"tracking", "SMARTSHOP_TRACKING"},
      {"recommender", "SMARTSHOP_RECOMMENDER"},
  };
  if (absl::Status env = smartshop::ApplyEnvironmentToFlags(kEnv); !env.ok()) {
    std::cerr << "smartshop: " << env.message() << "\n";
    return smartshop::cli::kExitUsage;
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  return smartshop::cli::RunSmartshop(args, std::cout, std::cerr);
}

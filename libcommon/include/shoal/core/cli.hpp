// What every tool main shares (DESIGN.md §4): error reporting and exit codes, --help and
// --version, positional input and -o output handling.
#pragma once

#include <cxxopts.hpp>

#include <functional>
#include <stdexcept>
#include <string>

namespace shoal {

// Bad usage: reported as "TOOL: error: WHAT" plus a pointer to --help; exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ToolInfo {
  std::string name;
  std::string usage;        // "onnx-tidy [IN.onnx|-] [-o OUT.onnx|-]"
  std::string description;  // what it reads, writes and which FINN step it stands for
};

// Runs `body` with the options parsed, mapping exceptions to messages and exit codes:
// shoal::Error -> 1, UsageError and option parse errors -> 2. Handles --help and --version.
int run_tool(const ToolInfo& info, cxxopts::Options& options, int argc, char** argv,
             const std::function<int(const cxxopts::ParseResult&)>& body);

// Creates the cxxopts object with the common flags (--help, --version).
cxxopts::Options make_options(const ToolInfo& info);

// The single positional input ("-" when none is given).
std::string single_input(const cxxopts::ParseResult& r, const std::string& key = "input");

}  // namespace shoal

// Errors the flow reports to users: one line that names the node, tensor, file or key at fault.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace shoal {

// A failure the user can act on (bad input, unsupported op, impossible folding).
// Tools print `TOOL: error: WHAT` and exit 1 when one escapes.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace shoal

namespace shoal {
// Prints "TOOL: warning: WHAT" on stderr (the tool name is set by the tool's main).
void warn(const std::string& message);
void set_program_name(const std::string& name);
const std::string& program_name();
}  // namespace shoal

#include <iostream>

#include "shoal/core/error.hpp"

namespace shoal {
namespace {
std::string& name_storage() {
  static std::string name = "shoal";
  return name;
}
}  // namespace

void set_program_name(const std::string& name) {
  name_storage() = name;
}
const std::string& program_name() {
  return name_storage();
}
void warn(const std::string& message) {
  std::cerr << program_name() << ": warning: " << message << "\n";
}

}  // namespace shoal

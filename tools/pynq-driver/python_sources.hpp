// The Python files of the generated driver, from python/ beside this file, compiled in by
// embed_python.cmake (CMakeLists.txt). driver.py and host_serial.py are templates
// (python/*.py.in): main.cpp replaces their @KEY@ placeholders.
#pragma once

#include <string_view>

namespace shoal::pynq_driver {

extern const std::string_view kDriverPy;
extern const std::string_view kDriverBasePy;
extern const std::string_view kValidatePy;
extern const std::string_view kShoalDtPy;
extern const std::string_view kHostSerialPy;

}  // namespace shoal::pynq_driver

// The Python files of the generated driver, one per .cpp file beside this one. driver.py and
// host_serial.py are templates: main.cpp replaces their @KEY@ placeholders.
#pragma once

#include <string_view>

namespace shoal::pynq_driver {

extern const std::string_view kDriverPy;
extern const std::string_view kDriverBasePy;
extern const std::string_view kValidatePy;
extern const std::string_view kShoalDtPy;
extern const std::string_view kHostSerialPy;

}  // namespace shoal::pynq_driver

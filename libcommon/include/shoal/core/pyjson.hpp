// JSON exactly as Python's json.dump(obj, f, indent=2) writes it (estimates.md §2.0): FINN's
// reports and configs are read by existing FINN scripts and compared byte for byte.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace shoal {

// Python repr() of a double: the shortest round-trip digits, fixed notation for decimal
// exponents -4..15 (always with a fractional part, "4.0"), else "1e-05" / "1.5e+16".
std::string python_float_repr(double v);
// indent=2, ", " avoided in favour of ",\n", ": " between key and value, insertion order,
// "{}" and "[]" when empty, ASCII-only strings, and no trailing newline.
std::string python_json_dump(const nlohmann::ordered_json& j);
// Writes python_json_dump(j) atomically.
void write_python_json(const std::string& path, const nlohmann::ordered_json& j);

}  // namespace shoal

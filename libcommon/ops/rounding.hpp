// Rounding modes of the QONNX quantizers (dialect.md §2, Quant).
#pragma once

#include <string>

namespace shoal::ops {

enum class RoundingMode { Round, Ceil, Floor, Up, Down, HalfUp, HalfDown };
// Upper-cases the name first, as qonnx does; an Error names an unknown mode.
RoundingMode parse_rounding_mode(const std::string& name);
float apply_rounding(RoundingMode mode, float v);

}  // namespace shoal::ops

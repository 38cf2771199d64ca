// NumPy .npy files (format versions 1.0-3.0, little-endian, C order): float32, float64,
// int8..int64, uint8..uint64 and bool.
#pragma once

#include <string>
#include <string_view>

#include "shoal/core/tensor.hpp"

namespace shoal {

// `what` names the source in error messages (usually the path).
Tensor parse_npy(std::string_view bytes, const std::string& what);
Tensor read_npy(const std::string& path);  // "-" = stdin
std::string serialize_npy(const Tensor& t);
void write_npy(const std::string& path, const Tensor& t);  // atomic; "-" = stdout

}  // namespace shoal

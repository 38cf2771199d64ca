#include "rounding.hpp"

#include <cctype>
#include <cmath>

#include "shoal/core/error.hpp"

namespace shoal::ops {

RoundingMode parse_rounding_mode(const std::string& name) {
  std::string n = name;
  for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (n == "ROUND" || n == "HALF_EVEN") return RoundingMode::Round;
  if (n == "CEIL") return RoundingMode::Ceil;
  if (n == "FLOOR") return RoundingMode::Floor;
  if (n == "UP") return RoundingMode::Up;
  if (n == "DOWN") return RoundingMode::Down;
  if (n == "HALF_UP") return RoundingMode::HalfUp;
  if (n == "HALF_DOWN") return RoundingMode::HalfDown;
  fail("unknown rounding_mode '{}'", name);
}

float apply_rounding(RoundingMode mode, float v) {
  float sign = v > 0 ? 1.0f : (v < 0 ? -1.0f : 0.0f);
  switch (mode) {
    case RoundingMode::Round:
      return std::nearbyint(v);  // half to even, like numpy.round
    case RoundingMode::Ceil:
      return std::ceil(v);
    case RoundingMode::Floor:
      return std::floor(v);
    case RoundingMode::Up:
      return sign * std::ceil(std::fabs(v));
    case RoundingMode::Down:
      return sign * std::floor(std::fabs(v));
    case RoundingMode::HalfUp:
      return sign * std::floor(std::fabs(v) + 0.5f);
    case RoundingMode::HalfDown:
      return sign * std::ceil(std::fabs(v) - 0.5f);
  }
  return v;
}

}  // namespace shoal::ops

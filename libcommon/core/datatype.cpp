#include "shoal/core/datatype.hpp"

#include <charconv>
#include <cmath>

#include "shoal/core/error.hpp"

namespace shoal {
namespace {

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

bool is_integral(double v) {
  return std::isfinite(v) && std::floor(v) == v;
}

}  // namespace

DataType DataType::uint(int bits) {
  if (bits < 1 || bits > 64) fail("unsupported datatype width UINT{}", bits);
  if (bits == 1) return binary();
  return DataType(Kind::UInt, bits);
}

DataType DataType::sint(int bits) {
  if (bits < 1 || bits > 64) fail("unsupported datatype width INT{}", bits);
  return DataType(Kind::Int, bits);
}

DataType DataType::fixed(int width, int int_bits) {
  if (width < 2 || width > 64 || int_bits >= width || int_bits < 1)
    fail("unsupported datatype FIXED<{},{}>", width, int_bits);
  return DataType(Kind::Fixed, width, int_bits);
}

std::optional<DataType> DataType::parse(std::string_view name) {
  if (name == "BINARY") return binary();
  if (name == "BIPOLAR") return bipolar();
  if (name == "TERNARY") return ternary();
  if (name == "FLOAT32") return float32();
  if (name.starts_with("UINT")) {
    auto n = parse_int(name.substr(4));
    if (n && *n >= 1 && *n <= 64) return uint(*n);
    return std::nullopt;
  }
  if (name.starts_with("INT")) {
    auto n = parse_int(name.substr(3));
    if (n && *n >= 1 && *n <= 64) return sint(*n);
    return std::nullopt;
  }
  if (name.starts_with("FIXED<") && name.ends_with(">")) {
    std::string_view body = name.substr(6, name.size() - 7);
    auto comma = body.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    auto w = parse_int(body.substr(0, comma));
    auto i = parse_int(body.substr(comma + 1));
    if (!w || !i || *w < 2 || *w > 64 || *i < 1 || *i >= *w) return std::nullopt;
    return fixed(*w, *i);
  }
  return std::nullopt;
}

DataType DataType::from_name(std::string_view name) {
  auto dt = parse(name);
  if (!dt) fail("unknown datatype '{}'", name);
  return *dt;
}

std::string DataType::name() const {
  switch (kind_) {
    case Kind::Binary:
      return "BINARY";
    case Kind::Bipolar:
      return "BIPOLAR";
    case Kind::Ternary:
      return "TERNARY";
    case Kind::UInt:
      return "UINT" + std::to_string(bits_);
    case Kind::Int:
      return "INT" + std::to_string(bits_);
    case Kind::Fixed:
      return "FIXED<" + std::to_string(bits_) + "," + std::to_string(int_bits_) + ">";
    case Kind::Float32:
      return "FLOAT32";
  }
  return "FLOAT32";
}

double DataType::scale() const {
  return kind_ == Kind::Fixed ? std::ldexp(1.0, -(bits_ - int_bits_)) : 1.0;
}

double DataType::min() const {
  switch (kind_) {
    case Kind::Binary:
      return 0;
    case Kind::Bipolar:
      return -1;
    case Kind::Ternary:
      return -1;
    case Kind::UInt:
      return 0;
    case Kind::Int:
      return -std::ldexp(1.0, bits_ - 1);
    case Kind::Fixed:
      return -std::ldexp(1.0, bits_ - 1) * scale();
    case Kind::Float32:
      return -3.4028234663852886e38;
  }
  return 0;
}

double DataType::max() const {
  switch (kind_) {
    case Kind::Binary:
      return 1;
    case Kind::Bipolar:
      return 1;
    case Kind::Ternary:
      return 1;
    case Kind::UInt:
      return std::ldexp(1.0, bits_) - 1;
    case Kind::Int:
      return std::ldexp(1.0, bits_ - 1) - 1;
    case Kind::Fixed:
      return (std::ldexp(1.0, bits_ - 1) - 1) * scale();
    case Kind::Float32:
      return 3.4028234663852886e38;
  }
  return 0;
}

bool DataType::allowed(double v) const {
  switch (kind_) {
    case Kind::Float32:
      return true;
    case Kind::Binary:
      return v == 0 || v == 1;
    case Kind::Bipolar:
      return v == -1 || v == 1;
    case Kind::Ternary:
      return v == -1 || v == 0 || v == 1;
    case Kind::UInt:
    case Kind::Int:
      return is_integral(v) && v >= min() && v <= max();
    case Kind::Fixed:
      return sint(bits_).allowed(v / scale());
  }
  return false;
}

double DataType::num_possible_values() const {
  switch (kind_) {
    case Kind::Binary:
    case Kind::Bipolar:
      return 2;
    case Kind::Ternary:
      return 3;
    case Kind::UInt:
    case Kind::Int:
      return std::fabs(min()) + std::fabs(max()) + 1;
    case Kind::Fixed:
      return std::ldexp(1.0, bits_);
    case Kind::Float32:
      fail("FLOAT32 has no finite number of possible values");
  }
  return 0;
}

DataType DataType::with_bitwidth(int bits) const {
  if (kind_ == Kind::UInt || kind_ == Kind::Binary) return uint(bits);
  if (kind_ == Kind::Int) return sint(bits);
  fail("cannot change the width of datatype {}", name());
}

std::optional<DataType> DataType::smallest_possible(double v) {
  if (!is_integral(v)) return float32();
  std::vector<DataType> order;
  order.push_back(binary());
  for (int b = 2; b <= 32; ++b) order.push_back(uint(b));
  order.push_back(uint(64));
  order.push_back(bipolar());
  order.push_back(ternary());
  for (int b = 2; b <= 32; ++b) order.push_back(sint(b));
  order.push_back(sint(64));
  for (const auto& dt : order)
    if (dt.min() <= v && v <= dt.max()) return dt;
  return std::nullopt;
}

std::vector<DataType> DataType::accumulator_candidates() {
  std::vector<DataType> cands;
  cands.push_back(binary());
  for (int b = 2; b <= 64; ++b) cands.push_back(uint(b));
  cands.push_back(bipolar());
  cands.push_back(ternary());
  for (int b = 1; b <= 64; ++b) cands.push_back(sint(b));
  return cands;
}

}  // namespace shoal

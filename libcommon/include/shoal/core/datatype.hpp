// FINN's datatypes (dialect.md §1.1–1.2): BINARY, BIPOLAR, TERNARY, UINTn, INTn, FIXED<w,i>,
// FLOAT32.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shoal {

class DataType {
 public:
  enum class Kind { Binary, Bipolar, Ternary, UInt, Int, Fixed, Float32 };

  DataType() : kind_(Kind::Float32), bits_(32), int_bits_(0) {}

  static DataType binary() { return DataType(Kind::Binary, 1); }
  static DataType bipolar() { return DataType(Kind::Bipolar, 1); }
  static DataType ternary() { return DataType(Kind::Ternary, 2); }
  static DataType float32() { return DataType(); }
  // UINT1 is BINARY, as in qonnx (dialect.md §1.2).
  static DataType uint(int bits);
  static DataType sint(int bits);
  static DataType fixed(int width, int int_bits);

  // Parses a canonical name ("UINT8", "BIPOLAR", "FIXED<8,4>"); nullopt if it is not one.
  static std::optional<DataType> parse(std::string_view name);
  // As parse(), but an unknown name is an Error naming it.
  static DataType from_name(std::string_view name);

  // FINN v0.6 get_smallest_possible: FLOAT32 for non-integers, else the first type in the
  // v0.6 enum order (BINARY, UINT2..UINT32, UINT64, BIPOLAR, TERNARY, INT2..INT32, INT64)
  // whose range holds v. nullopt when v is beyond INT64/UINT64.
  static std::optional<DataType> smallest_possible(double v);
  // qonnx get_accumulator_dt_cands: BINARY, UINT1..UINT64, BIPOLAR, TERNARY, INT1..INT64.
  static std::vector<DataType> accumulator_candidates();

  Kind kind() const { return kind_; }
  std::string name() const;
  int bitwidth() const { return bits_; }
  double min() const;
  double max() const;
  bool is_signed() const { return min() < 0; }
  // FINN: everything but FLOAT32 (and FIXED, which is fixed-point, not integer).
  bool is_integer() const { return kind_ != Kind::Float32 && kind_ != Kind::Fixed; }
  bool is_fixed_point() const { return kind_ == Kind::Fixed; }
  bool is_float() const { return kind_ == Kind::Float32; }
  // Scale of one LSB: 1 for integers, 2^-frac for FIXED.
  double scale() const;
  bool allowed(double v) const;
  // Number of distinct values (integers and fixed point only).
  double num_possible_values() const;
  // The same kind with a different width, as MinimizeAccumulatorWidth's name substitution
  // does (UINT13 -> UINT16); only for UINT/INT.
  DataType with_bitwidth(int bits) const;

  bool operator==(const DataType& o) const {
    return kind_ == o.kind_ && bits_ == o.bits_ && int_bits_ == o.int_bits_;
  }
  bool operator!=(const DataType& o) const { return !(*this == o); }

 private:
  DataType(Kind k, int bits, int int_bits = 0) : kind_(k), bits_(bits), int_bits_(int_bits) {}
  Kind kind_;
  int bits_;
  int int_bits_;  // FIXED only
};

}  // namespace shoal

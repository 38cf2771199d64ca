// A dense C-order tensor with an ONNX element type: what the executor computes on and what
// initializers and .npy files hold.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shoal/core/error.hpp"

namespace shoal {

// Values are ONNX TensorProto.DataType codes, so they convert to and from protos directly.
enum class ElemType : int32_t {
  Float = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  Bool = 9,
  Double = 11,
  UInt32 = 12,
  UInt64 = 13,
};

bool is_supported_elem_type(int32_t onnx_code);
std::size_t elem_size(ElemType t);
// numpy's name of the type ("float32", "int64", ...).
const char* elem_type_name(ElemType t);
bool is_integer_elem(ElemType t);

template <typename T>
constexpr ElemType elem_type_of();
template <>
constexpr ElemType elem_type_of<float>() {
  return ElemType::Float;
}
template <>
constexpr ElemType elem_type_of<double>() {
  return ElemType::Double;
}
template <>
constexpr ElemType elem_type_of<int8_t>() {
  return ElemType::Int8;
}
template <>
constexpr ElemType elem_type_of<int16_t>() {
  return ElemType::Int16;
}
template <>
constexpr ElemType elem_type_of<int32_t>() {
  return ElemType::Int32;
}
template <>
constexpr ElemType elem_type_of<int64_t>() {
  return ElemType::Int64;
}
template <>
constexpr ElemType elem_type_of<uint8_t>() {
  return ElemType::UInt8;
}
template <>
constexpr ElemType elem_type_of<uint16_t>() {
  return ElemType::UInt16;
}
template <>
constexpr ElemType elem_type_of<uint32_t>() {
  return ElemType::UInt32;
}
template <>
constexpr ElemType elem_type_of<uint64_t>() {
  return ElemType::UInt64;
}
template <>
constexpr ElemType elem_type_of<bool>() {
  return ElemType::Bool;
}

// numpy's float-to-integer cast as it behaves on x86: truncation toward zero; NaN and
// values outside int64 give int64's minimum ("integer indefinite"). C++ leaves those cases
// undefined, and a model's data may hold them.
int64_t float_to_int64(double v);
// The integer a float must hold where it stands for a count, an axis or an index; an Error
// naming `what` when it is NaN, infinite or outside int64 (a fraction is truncated).
int64_t integral_value(double v, std::string_view what);

using Shape = std::vector<int64_t>;
int64_t element_count(const Shape& shape);
// "[1, 14]"
std::string format_shape(const Shape& shape);
// An ONNX axis (negative counts from the end) as an index into a shape of `rank`; fails
// when it is out of range.
int64_t normalize_axis(int64_t axis, int64_t rank);
// numpy broadcasting of two shapes; an Error names both when they don't broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);

class Tensor {
 public:
  Tensor() : Tensor(ElemType::Float, Shape{0}) {}
  Tensor(ElemType type, Shape shape);

  template <typename T>
  static Tensor from(Shape shape, const std::vector<T>& values) {
    Tensor t(elem_type_of<T>(), std::move(shape));
    if (static_cast<int64_t>(values.size()) != t.size())
      fail("tensor of shape {} cannot hold {} values", format_shape(t.shape_), values.size());
    if (!values.empty()) std::memcpy(t.buf_.data(), values.data(), values.size() * sizeof(T));
    return t;
  }
  static Tensor from(Shape shape, const std::vector<bool>& values);
  static Tensor scalar(float v) { return from<float>({}, {v}); }

  ElemType type() const { return type_; }
  const Shape& shape() const { return shape_; }
  int64_t size() const { return size_; }
  std::size_t rank() const { return shape_.size(); }

  template <typename T>
  std::span<T> span() {
    check_type(elem_type_of<T>());
    return {reinterpret_cast<T*>(buf_.data()), static_cast<std::size_t>(size_)};
  }
  template <typename T>
  std::span<const T> span() const {
    check_type(elem_type_of<T>());
    return {reinterpret_cast<const T*>(buf_.data()), static_cast<std::size_t>(size_)};
  }

  // Element access through double, for any element type (slow path).
  double get(int64_t flat_index) const;
  void set(int64_t flat_index, double value);

  std::vector<float> floats() const;
  std::vector<double> doubles() const;
  std::vector<int64_t> ints() const;
  Tensor astype(ElemType type) const;
  Tensor reshaped(Shape shape) const;

  const std::vector<unsigned char>& bytes() const { return buf_; }
  std::vector<unsigned char>& bytes() { return buf_; }

  // Same type, shape and bytes.
  bool identical(const Tensor& other) const {
    return type_ == other.type_ && shape_ == other.shape_ && buf_ == other.buf_;
  }

 private:
  void check_type(ElemType want) const;
  ElemType type_;
  Shape shape_;
  int64_t size_;
  std::vector<unsigned char> buf_;
};

}  // namespace shoal

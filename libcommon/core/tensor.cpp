#include "shoal/core/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "shoal/core/limits.hpp"

namespace shoal {

bool is_supported_elem_type(int32_t code) {
  switch (code) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 9:
    case 11:
    case 12:
    case 13:
      return true;
    default:
      return false;
  }
}

std::size_t elem_size(ElemType t) {
  switch (t) {
    case ElemType::Float:
      return 4;
    case ElemType::Double:
      return 8;
    case ElemType::Int8:
    case ElemType::UInt8:
    case ElemType::Bool:
      return 1;
    case ElemType::Int16:
    case ElemType::UInt16:
      return 2;
    case ElemType::Int32:
    case ElemType::UInt32:
      return 4;
    case ElemType::Int64:
    case ElemType::UInt64:
      return 8;
  }
  return 0;
}

const char* elem_type_name(ElemType t) {
  switch (t) {
    case ElemType::Float:
      return "float32";
    case ElemType::Double:
      return "float64";
    case ElemType::Int8:
      return "int8";
    case ElemType::UInt8:
      return "uint8";
    case ElemType::Bool:
      return "bool";
    case ElemType::Int16:
      return "int16";
    case ElemType::UInt16:
      return "uint16";
    case ElemType::Int32:
      return "int32";
    case ElemType::UInt32:
      return "uint32";
    case ElemType::Int64:
      return "int64";
    case ElemType::UInt64:
      return "uint64";
  }
  return "?";
}

bool is_integer_elem(ElemType t) {
  return t != ElemType::Float && t != ElemType::Double;
}

int64_t float_to_int64(double v) {
  if (!(v >= -0x1p63 && v < 0x1p63)) return INT64_MIN;
  return static_cast<int64_t>(v);
}

int64_t integral_value(double v, std::string_view what) {
  if (!(v >= -0x1p63 && v < 0x1p63)) fail("{} {} is not an integer", what, v);
  return static_cast<int64_t>(v);
}

int64_t element_count(const Shape& shape) {
  int64_t n = 1;
  for (auto d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      fail("shape {} has more elements than int64 can count", format_shape(shape));
  return n;
}

std::string format_shape(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t normalize_axis(int64_t axis, int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail("axis {} is out of range for rank {}", axis, rank);
  return a;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  std::size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      fail("shapes {} and {} do not broadcast", format_shape(a), format_shape(b));
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Tensor::Tensor(ElemType type, Shape shape) : type_(type), shape_(std::move(shape)) {
  size_ = checked_element_count(shape_, type_, "tensor");
  buf_.assign(static_cast<std::size_t>(size_) * elem_size(type_), 0);
}

Tensor Tensor::from(Shape shape, const std::vector<bool>& values) {
  Tensor t(ElemType::Bool, std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.size())
    fail("tensor of shape {} cannot hold {} values", format_shape(t.shape_), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) t.buf_[i] = values[i] ? 1 : 0;
  return t;
}

void Tensor::check_type(ElemType want) const {
  if (want != type_)
    fail("internal: tensor holds {} but was accessed as {}", elem_type_name(type_),
         elem_type_name(want));
}

namespace {
template <typename T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
void store(unsigned char* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}
}  // namespace

double Tensor::get(int64_t i) const {
  const unsigned char* p = buf_.data() + i * elem_size(type_);
  switch (type_) {
    case ElemType::Float:
      return load<float>(p);
    case ElemType::Double:
      return load<double>(p);
    case ElemType::Int8:
      return load<int8_t>(p);
    case ElemType::UInt8:
      return load<uint8_t>(p);
    case ElemType::Bool:
      return load<uint8_t>(p) ? 1.0 : 0.0;
    case ElemType::Int16:
      return load<int16_t>(p);
    case ElemType::UInt16:
      return load<uint16_t>(p);
    case ElemType::Int32:
      return load<int32_t>(p);
    case ElemType::UInt32:
      return load<uint32_t>(p);
    case ElemType::Int64:
      return static_cast<double>(load<int64_t>(p));
    case ElemType::UInt64:
      return static_cast<double>(load<uint64_t>(p));
  }
  return 0;
}

void Tensor::set(int64_t i, double v) {
  unsigned char* p = buf_.data() + i * elem_size(type_);
  switch (type_) {
    case ElemType::Float:
      store<float>(p, static_cast<float>(v));
      break;
    case ElemType::Double:
      store<double>(p, v);
      break;
    case ElemType::Int8:
      store<int8_t>(p, static_cast<int8_t>(float_to_int64(v)));
      break;
    case ElemType::UInt8:
      store<uint8_t>(p, static_cast<uint8_t>(float_to_int64(v)));
      break;
    case ElemType::Bool:
      store<uint8_t>(p, v != 0 ? 1 : 0);
      break;
    case ElemType::Int16:
      store<int16_t>(p, static_cast<int16_t>(float_to_int64(v)));
      break;
    case ElemType::UInt16:
      store<uint16_t>(p, static_cast<uint16_t>(float_to_int64(v)));
      break;
    case ElemType::Int32:
      store<int32_t>(p, static_cast<int32_t>(float_to_int64(v)));
      break;
    case ElemType::UInt32:
      store<uint32_t>(p, static_cast<uint32_t>(float_to_int64(v)));
      break;
    case ElemType::Int64:
      store<int64_t>(p, float_to_int64(v));
      break;
    case ElemType::UInt64:
      // the upper half of uint64 is out of int64's range but representable
      store<uint64_t>(p, v >= 0x1p63 && v < 0x1p64 ? static_cast<uint64_t>(v)
                                                   : static_cast<uint64_t>(float_to_int64(v)));
      break;
  }
}

std::vector<float> Tensor::floats() const {
  if (type_ == ElemType::Float) {
    auto s = span<float>();
    return {s.begin(), s.end()};
  }
  std::vector<float> out(size_);
  for (int64_t i = 0; i < size_; ++i) out[i] = static_cast<float>(get(i));
  return out;
}

std::vector<double> Tensor::doubles() const {
  std::vector<double> out(size_);
  for (int64_t i = 0; i < size_; ++i) out[i] = get(i);
  return out;
}

std::vector<int64_t> Tensor::ints() const {
  std::vector<int64_t> out(size_);
  if (type_ == ElemType::Int64) {
    auto s = span<int64_t>();
    return {s.begin(), s.end()};
  }
  const unsigned char* p = buf_.data();
  const std::size_t es = elem_size(type_);
  for (int64_t i = 0; i < size_; ++i) {
    // Integers are read as integers (a double would round int64 and uint64 values).
    switch (type_) {
      case ElemType::UInt64:
        out[i] = static_cast<int64_t>(load<uint64_t>(p + i * es));
        break;
      case ElemType::Float:
      case ElemType::Double:
        out[i] = integral_value(get(i), "tensor value");
        break;
      default:
        out[i] = static_cast<int64_t>(get(i));
        break;
    }
  }
  return out;
}

Tensor Tensor::astype(ElemType type) const {
  if (type == type_) return *this;
  Tensor t(type, shape_);
  for (int64_t i = 0; i < size_; ++i) t.set(i, get(i));
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  for (auto d : shape)
    if (d < 0) fail("cannot reshape a tensor to {}: a dimension is negative", format_shape(shape));
  if (element_count(shape) != size_)
    fail("cannot reshape a tensor of shape {} to {}", format_shape(shape_), format_shape(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

}  // namespace shoal

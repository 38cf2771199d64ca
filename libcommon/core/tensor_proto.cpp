#include "shoal/core/tensor_proto.hpp"

#include <cstring>

#include "shoal/core/limits.hpp"

namespace shoal {

Tensor tensor_from_proto(const onnx::TensorProto& p) {
  if (p.data_location() == onnx::TensorProto::EXTERNAL)
    fail("tensor '{}' keeps its data in an external file, which is not supported", p.name());
  if (!is_supported_elem_type(p.data_type()))
    fail("tensor '{}' has unsupported element type {}", p.name(), p.data_type());
  Shape shape(p.dims().begin(), p.dims().end());
  auto type = static_cast<ElemType>(p.data_type());
  checked_element_count(shape, type, fmt::format("tensor '{}'", p.name()));
  Tensor t(type, shape);
  const std::size_t nbytes = t.bytes().size();
  if (p.has_raw_data()) {
    if (p.raw_data().size() != nbytes)
      fail("tensor '{}' holds {} bytes of data, its shape {} needs {}", p.name(),
           p.raw_data().size(), format_shape(shape), nbytes);
    if (nbytes) std::memcpy(t.bytes().data(), p.raw_data().data(), nbytes);
    return t;
  }
  auto check = [&](int have) {
    if (have != t.size())
      fail("tensor '{}' holds {} values, its shape {} needs {}", p.name(), have,
           format_shape(shape), t.size());
  };
  switch (type) {
    case ElemType::Float:
      check(p.float_data_size());
      for (int i = 0; i < p.float_data_size(); ++i) t.set(i, p.float_data(i));
      break;
    case ElemType::Double:
      check(p.double_data_size());
      for (int i = 0; i < p.double_data_size(); ++i) t.set(i, p.double_data(i));
      break;
    case ElemType::Int64:
      check(p.int64_data_size());
      for (int i = 0; i < p.int64_data_size(); ++i) t.span<int64_t>()[i] = p.int64_data(i);
      break;
    case ElemType::UInt32:
    case ElemType::UInt64:
      check(p.uint64_data_size());
      for (int i = 0; i < p.uint64_data_size(); ++i) {
        if (type == ElemType::UInt64)
          t.span<uint64_t>()[i] = p.uint64_data(i);
        else
          t.span<uint32_t>()[i] = static_cast<uint32_t>(p.uint64_data(i));
      }
      break;
    default:  // int32_data carries INT32, INT16, INT8, UINT16, UINT8 and BOOL
      check(p.int32_data_size());
      for (int i = 0; i < p.int32_data_size(); ++i) t.set(i, p.int32_data(i));
      break;
  }
  return t;
}

onnx::TensorProto tensor_to_proto(const Tensor& t, const std::string& name) {
  onnx::TensorProto p;
  p.set_name(name);
  p.set_data_type(static_cast<int32_t>(t.type()));
  for (auto d : t.shape()) p.add_dims(d);
  p.set_raw_data(std::string(reinterpret_cast<const char*>(t.bytes().data()), t.bytes().size()));
  return p;
}

}  // namespace shoal

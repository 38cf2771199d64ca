// Conversion between ONNX TensorProto and Tensor.
#pragma once

#include "shoal/core/onnx_proto.hpp"

#include <string>

#include "shoal/core/tensor.hpp"

namespace shoal {

// Reads raw_data or the typed fields; an Error names the tensor for unsupported types or
// external data.
Tensor tensor_from_proto(const onnx::TensorProto& proto);
// Writes dims, data_type and raw_data (little-endian), as numpy_helper.from_array does.
onnx::TensorProto tensor_to_proto(const Tensor& t, const std::string& name);

}  // namespace shoal

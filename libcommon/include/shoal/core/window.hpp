// The spatial geometry of ONNX's sliding-window ops (Conv, MaxPool, AveragePool): kernel,
// strides, dilations, pads (explicit or auto_pad) and the output size they give. Shared by
// the ops' execution and the shape rules, so both compute one output size.
#pragma once

#include <cstdint>
#include <vector>

#include "shoal/core/onnx_proto.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal {

struct Window {
  std::vector<int64_t> in, out, kernel, stride, dilation, pad_begin, pad_end;
};

// The window of node `n` over an NC... input of shape `x` with the given kernel extent;
// fails when kernel, strides, dilations or pads do not match the spatial rank.
Window window_of(const onnx::NodeProto& n, const Shape& x, const std::vector<int64_t>& kernel);

}  // namespace shoal

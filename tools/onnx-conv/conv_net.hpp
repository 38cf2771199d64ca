// A synthetic quantized convolutional network, in FINN-ONNX or QONNX form, with test vectors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shoal/core/datatype.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal {

// One entry of the --layers string (see ConvSpec).
struct ConvNetLayer {
  enum class Kind { Conv, MaxPool, Fc } kind = Kind::Conv;
  int64_t out = 0;         // Conv: output channels; Fc: outputs
  int64_t kh = 3, kw = 3;  // Conv or MaxPool kernel
  int64_t stride = 1;      // Conv; MaxPool defaults to its kernel
  int64_t dilation = 1, group = 1;
  std::vector<int64_t> pads = {0, 0, 0, 0};  // top, left, bottom, right
};

// Parses "c16k3s1p1,m2,c32k3p0.1.1.0,f10": c<out> a convolution with optional k<k> or
// k<kh>x<kw>, s<stride>, p<pad> or p<top>.<left>.<bottom>.<right>, d<dilation>, g<groups>;
// m<k> a k×k max-pool (stride k, or s<stride>); f<n> a fully connected layer (the feature map
// is flattened first). Fails with a message naming the bad entry.
std::vector<ConvNetLayer> parse_conv_layers(const std::string& text);

struct ConvNetSpec {
  int64_t image = 8, channels = 3;  // square input image, NCHW
  std::vector<ConvNetLayer> layers;
  DataType weight_type = DataType::sint(2);
  DataType act_type = DataType::uint(2);
  DataType input_type = DataType::uint(8);
  bool qonnx = false;
  bool topk = false;
  bool last_linear = false;  // no activation after the last conv or fc layer
  uint64_t seed = 1;
  int64_t samples = 8;
};

struct ConvNetBundle {
  Model model;
  Tensor input;            // (samples, C, H, W) float32
  Tensor expected_output;  // (samples, ...) from the executor on `model`
};

ConvNetBundle make_conv_net(const ConvNetSpec& spec);

}  // namespace shoal

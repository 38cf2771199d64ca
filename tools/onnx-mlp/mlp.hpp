// A synthetic quantized multilayer perceptron, in FINN-ONNX or QONNX form, with test vectors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shoal/core/datatype.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal {

struct MlpSpec {
  std::vector<int64_t> layers;  // sizes, input first: 14,31,11,3,1 = four layers
  DataType weight_type = DataType::sint(2);
  DataType act_type = DataType::uint(2);
  DataType input_type = DataType::sint(2);
  std::optional<DataType> output_type;  // a final standalone requantization
  bool qonnx = false;
  std::optional<float> input_scale;  // float input, quantized on the host side
  bool topk = false;
  bool last_linear = false;  // no activation after the last layer
  uint64_t seed = 1;
  int64_t samples = 16;
};

struct MlpBundle {
  Model model;
  Tensor input;            // (samples, L0) float32
  Tensor expected_output;  // (samples, ...) from the executor
};

MlpBundle make_mlp(const MlpSpec& spec);

}  // namespace shoal

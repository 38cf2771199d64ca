// Splitting an .npy batch into model-shaped samples and stacking the results.
#pragma once

#include <string>
#include <vector>

#include "shoal/core/tensor.hpp"

namespace shoal {

struct Batch {
  std::vector<Tensor> samples;
  bool single = false;  // the .npy held exactly one sample in the model's shape
};

// Accepts the model's shape itself, (N, ...) where the model's batch dimension is 1, or
// (N, model shape...). An Error names both shapes otherwise.
Batch split_batch(const Tensor& input, const Shape& model_shape, const std::string& input_name,
                  const std::string& file);
// Stacks per-sample outputs along a new first axis (replacing a batch dimension of 1).
Tensor stack_outputs(const std::vector<Tensor>& outputs, bool single);

}  // namespace shoal

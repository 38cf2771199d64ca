// The computations behind the executor's ops, for transforms that fold or rewrite constants.
#pragma once

#include <string>
#include <vector>

#include "shoal/core/tensor.hpp"

namespace shoal {

// numpy matmul on float32 carriers (double accumulation).
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor transpose_tensor(const Tensor& in, const std::vector<int64_t>& perm);
Tensor multithreshold(const Tensor& x, const Tensor& thresholds, float out_scale, float out_bias,
                      const std::string& layout);
struct QuantParams {
  bool is_signed = true;
  bool narrow = true;
  std::string rounding_mode = "ROUND";
};
Tensor quant(const Tensor& x, const Tensor& scale, const Tensor& zeropt, double bitwidth,
             const QuantParams& params);
Tensor xnor_popcount_matmul(const Tensor& a, const Tensor& w);

}  // namespace shoal

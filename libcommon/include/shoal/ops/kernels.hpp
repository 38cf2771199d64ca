// The computations behind the executor's ops, for transforms that fold or rewrite constants.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shoal/core/onnx_proto.hpp"
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
// A bit width input of a QONNX quantizer (Quant's bitwidth, Trunc's in and out widths): one
// integer from 1 to 64, as FINN's datatypes have; else an Error naming `node` and `which`.
int quantizer_bit_width(const onnx::NodeProto& node, const Tensor& bits,
                        std::string_view which = "bit width");
Tensor xnor_popcount_matmul(const Tensor& a, const Tensor& w);

}  // namespace shoal

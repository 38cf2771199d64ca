// Streamline() and step_streamline (dialect.md §3.3).
#include "shoal/transforms/streamline.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/transforms/hls_conversion.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {

void streamline_pass(Model& m) {
  // FINN v0.6's Streamline list, in its order (MoveAddPastMul and MoveMulPastMaxPool twice).
  static const std::vector<Transform> steps = {
      convert_sub_to_add,
      convert_div_to_mul,
      batchnorm_to_affine,
      convert_sign_to_thres,
      move_mul_past_maxpool,
      move_scalar_linear_past_invariants,
      absorb_sign_bias_into_multithreshold,
      move_add_past_mul,
      move_scalar_add_past_matmul,
      move_add_past_conv,
      move_scalar_mul_past_matmul,
      move_scalar_mul_past_conv,
      move_add_past_mul,
      collapse_repeated_add,
      collapse_repeated_mul,
      move_mul_past_maxpool,
      absorb_add_into_multithreshold,
      factor_out_mul_sign_magnitude,
      absorb_mul_into_multithreshold,
      absorb_1bit_mul_into_matmul,
      absorb_1bit_mul_into_conv,
      round_and_clip_thresholds,
  };
  for (const auto& t : steps) {
    apply(m, t);
    apply(m, remove_identity_ops);
    apply(m, [](Model& x) { return give_unique_node_names(x); });
    apply(m, give_readable_tensor_names);
    apply(m, infer_datatypes);
  }
}

void streamline_step(Model& m) {
  apply(m, absorb_sign_bias_into_multithreshold);
  streamline_pass(m);
  bool has_conv = false;
  for (const auto& n : m.graph().node()) has_conv |= n.op_type() == "Conv" && n.domain().empty();
  if (has_conv) {
    apply(m, lower_convs_to_matmul);
    apply(m, make_maxpool_nhwc);
    apply(m, absorb_transpose_into_multithreshold);
    apply(m, make_maxpool_nhwc);
    // FINN v0.7 adds AbsorbConsecutiveTransposes here; v0.6 leaves such pairs to
    // step_convert_to_hls, which runs it too.
    apply(m, absorb_consecutive_transposes);
  }
  apply(m, convert_bipolar_matmul_to_xnor_popcount);
  streamline_pass(m);
  apply(m, absorb_scalar_mul_add_into_topk);
  apply(m, infer_data_layouts);
  apply(m, remove_unused_tensors);
  infer_shapes(m);
}

}  // namespace shoal

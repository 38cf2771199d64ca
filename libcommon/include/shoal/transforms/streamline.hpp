// step_streamline (dialect.md §3.3): every rewrite of FINN v0.6's Streamline list as its own
// transform, the lowering of convolutions, the XNOR conversion, the TopK absorption and
// InferDataLayouts. Each returns whether it changed the model; run them with apply()
// (transforms.hpp).
#pragma once

#include "shoal/core/model.hpp"

namespace shoal {

// --- conversions (transforms/streamline/convert_ops.cpp) -------------------------------------
bool convert_sub_to_add(Model& m);
bool convert_div_to_mul(Model& m);
bool convert_sign_to_thres(Model& m);
bool batchnorm_to_affine(Model& m);

// --- reordering (transforms/streamline/reorder.cpp) ------------------------------------------
bool move_add_past_mul(Model& m);
bool move_scalar_add_past_matmul(Model& m);
bool move_add_past_conv(Model& m);
bool move_scalar_mul_past_matmul(Model& m);
bool move_scalar_mul_past_conv(Model& m);
bool move_mul_past_maxpool(Model& m);
bool move_scalar_linear_past_invariants(Model& m);
// MaxPool next to a Transpose(0,2,3,1) after it or a Transpose(0,3,1,2) before it becomes
// MaxPoolNHWC on the other side of the Transpose.
bool make_maxpool_nhwc(Model& m);

// --- collapsing and absorbing (transforms/streamline/collapse.cpp, absorb.cpp) --------------
bool collapse_repeated_add(Model& m);
bool collapse_repeated_mul(Model& m);
bool absorb_sign_bias_into_multithreshold(Model& m);
bool absorb_add_into_multithreshold(Model& m);
bool factor_out_mul_sign_magnitude(Model& m);
bool absorb_mul_into_multithreshold(Model& m);
bool absorb_1bit_mul_into_matmul(Model& m);
bool absorb_1bit_mul_into_conv(Model& m);
bool absorb_scalar_mul_add_into_topk(Model& m);
bool round_and_clip_thresholds(Model& m);
// Transpose(0,3,1,2) -> MultiThreshold [-> Transpose(0,2,3,1)]: the MultiThreshold becomes
// NHWC and loses the Transposes (or the first moves behind it).
bool absorb_transpose_into_multithreshold(Model& m);

// --- convolutions (transforms/streamline/lower_convs.cpp) ------------------------------------
// Conv -> Transpose, Im2Col, MatMul, Transpose (conv.md §3.2). A Conv FINN v0.6 cannot map
// (kernel not square, dilation, grouping other than depthwise, unequal strides, unsupported
// padding, non-constant weights) is an Error "NODE: why", raised before anything changes.
bool lower_convs_to_matmul(Model& m);

// --- XNOR and layouts ------------------------------------------------------------------------
bool convert_bipolar_matmul_to_xnor_popcount(Model& m);
bool infer_data_layouts(Model& m);

// FINN's Streamline(): each rewrite in its order, each followed by RemoveIdentityOps,
// GiveUniqueNodeNames, GiveReadableTensorNames and InferDataTypes.
void streamline_pass(Model& m);
// The whole step_streamline.
void streamline_step(Model& m);

}  // namespace shoal

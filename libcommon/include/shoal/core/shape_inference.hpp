// FINN's InferShapes (dialect.md §3.2): ONNX's own shape inference for standard ops, the
// per-op rules of libcommon/ops for custom ops.
#pragma once

#include "shoal/core/model.hpp"

namespace shoal {

// Recomputes the shape of every intermediate tensor and rewrites value_info in graph order
// (node outputs first, then initializers, as FINN files list them). Tensors whose shape
// cannot be inferred keep what was recorded before.
void infer_shapes(Model& model);
// The same with ONNX's own shape inference for every standard op (infer_shapes uses
// shape_rules.hpp first and falls back to this). ONNX's inference runs in the onnx-lib
// helper beside the tools (see tools/onnx-lib); custom ops still use libcommon's rules.
void infer_shapes_onnx(Model& model);

}  // namespace shoal

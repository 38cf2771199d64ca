// FINN's InferShapes (dialect.md §3.2): ONNX's own shape inference for standard ops, the
// per-op rules of libcommon/ops for custom ops (registered with ONNX as schemas).
#pragma once

#include "shoal/model.hpp"

namespace shoal {

// Recomputes the shape of every intermediate tensor and rewrites value_info in graph order
// (node outputs first, then initializers, as FINN files list them). Tensors whose shape
// cannot be inferred keep what was recorded before.
void infer_shapes(Model& model);
// The same through ONNX's own shape inference only (infer_shapes uses shape_rules.hpp first
// and falls back to this).
void infer_shapes_onnx(Model& model);

// Registers the custom ops' schemas with ONNX (for shape inference and onnx::checker).
void register_onnx_schemas();

}  // namespace shoal

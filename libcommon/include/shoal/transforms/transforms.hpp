// Graph transformations. Each is a function over a Model returning whether it changed
// anything; apply() runs one to a fixpoint followed by FINN's cleanup (dialect.md §1.5).
#pragma once

#include <functional>
#include <set>
#include <string>

#include "shoal/core/model.hpp"

namespace shoal {

using Transform = std::function<bool(Model&)>;

// FINN's ModelWrapper.transform: DoubleToSingleFloat once, the transform until it reports no
// change, then (unless disabled) RemoveUnusedTensors, RemoveStaticGraphInputs and SortGraph.
void apply(Model& model, const Transform& transform, bool cleanup = true);
void cleanup(Model& model);

// --- cleanup and bookkeeping (transforms/general.cpp) ---------------------------------------
bool double_to_single_float(Model& m);
// Drops initializers, value_info and annotations no node reads or writes.
bool remove_unused_tensors(Model& m);
// Graph inputs that have an initializer become value_info.
bool remove_static_graph_inputs(Model& m);
// FINN's SortGraph: Kahn by levels, each level in original order. Unlike FINN v0.6, nodes
// with neither predecessors nor successors are kept (at level 0) instead of dropped.
bool sort_graph(Model& m);
// "<prefix><op_type>_<k>", k counting per op type in graph order.
bool give_unique_node_names(Model& m, const std::string& prefix = "");
// Outputs "<node>_out<j>", initializer inputs "<node>_param<k>", then global_in/global_out.
bool give_readable_tensor_names(Model& m);
// Every use of a shared initializer after the first gets its own copy.
bool give_unique_parameter_tensors(Model& m);
// Runs shape inference (never reports a change, as FINN's does).
bool infer_shapes_transform(Model& m);
// Executes nodes whose inputs are all initializers (and Shape nodes of known input shape),
// storing their outputs as initializers. Ops in `exclude` are left alone.
bool fold_constants(Model& m, const std::set<std::string>& exclude = {"Quant", "BipolarQuant"});
// InferDataTypes: one pass over the nodes; true when an output annotation changed.
bool infer_datatypes(Model& m);
// Add/Sub of ~0 and Mul/Div by ~1 (np.isclose, atol 1e-5) that neither fork nor join.
bool remove_identity_ops(Model& m);

// --- steps ------------------------------------------------------------------------------------
// step_tidy_up: InferShapes, FoldConstants, GiveUniqueNodeNames, GiveReadableTensorNames,
// InferDataTypes, RemoveStaticGraphInputs.
void tidy_up(Model& m);
// True when the model holds QONNX quantizers (Quant, BipolarQuant or Trunc).
bool is_qonnx(const Model& m);
// step_qonnx_to_finn: qonnx cleanup, then ConvertQONNXtoFINN (transforms/qonnx_to_finn.cpp).
void qonnx_to_finn(Model& m);

}  // namespace shoal

// Reference execution of a model, node by node, as FINN's execute_onnx does (dialect.md §1.6):
// float32 carriers, integers exact, optional sanitisation of quantized tensors.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal {

struct ExecOptions {
  // FINN's SANITIZE_QUANT_TENSORS: round annotated tensors whose values are not allowed by
  // their datatype, and fail if that changes a value by more than 1e-2.
  bool sanitize = true;
  // Runs a StreamingDataflowPartition node instead of executing its child model in software
  // (set by tools that simulate the hardware).
  std::function<std::vector<Tensor>(const Model& parent, const onnx::NodeProto& node,
                                    const std::vector<Tensor>& inputs)>
      partition_runner;
};

class Executor {
 public:
  explicit Executor(const Model& model, ExecOptions options = {});
  // Graph inputs that need a value (those without an initializer), in graph order.
  const std::vector<std::string>& input_names() const { return inputs_; }
  std::vector<std::string> output_names() const;
  // One value per input_names() entry; returns one value per graph output.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) const;
  // Every tensor computed, by name (FINN's return_full_exec_context).
  std::unordered_map<std::string, Tensor> run_context(const std::vector<Tensor>& inputs) const;

 private:
  const Model& model_;
  ExecOptions options_;
  std::vector<std::string> inputs_;
  std::vector<int> order_;
  std::unordered_map<std::string, Tensor> initializers_;
};

// Convenience: a whole model on one set of inputs.
std::vector<Tensor> execute(const Model& model, const std::vector<Tensor>& inputs,
                            ExecOptions options = {});

}  // namespace shoal

// Hardware (fpgadataflow) ops: FINN's HLSCustomOp interface (estimates.md §3.0,
// hardware.md §1). Each op lives in one file of libcommon/ops/ and says everything the flow
// knows about it: attributes and defaults, normal and folded shapes, stream widths,
// reference execution, and (added by later steps) cycles, resources and RTL parameters.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "shoal/core/op.hpp"
#include "shoal/ops/rtl.hpp"

namespace shoal {

class HwOp : public OpDef {
 public:
  Domain domain() const override { return Domain::Dataflow; }
  // The op's own attributes merged with HLSCustomOp's common ones; on a name clash the
  // common one wins, as FINN's `my_attrs.update(super().get_nodeattr_types())` does.
  std::vector<AttrSpec> attr_specs() const final;
  virtual std::vector<AttrSpec> own_attr_specs() const = 0;

  virtual Shape normal_input_shape(const onnx::NodeProto& n, int ind = 0) const = 0;
  virtual Shape normal_output_shape(const onnx::NodeProto& n) const = 0;
  virtual Shape folded_input_shape(const onnx::NodeProto& n, int ind = 0) const = 0;
  virtual Shape folded_output_shape(const onnx::NodeProto& n) const = 0;
  virtual DataType input_datatype(const onnx::NodeProto& n, int ind = 0) const = 0;
  virtual DataType output_datatype(const onnx::NodeProto& n) const = 0;
  // Bits per beat: elements per beat times element bits.
  virtual int64_t instream_width(const onnx::NodeProto& n, int ind = 0) const;
  virtual int64_t outstream_width(const onnx::NodeProto& n) const;
  int64_t instream_width_padded(const onnx::NodeProto& n, int ind = 0) const;
  int64_t outstream_width_padded(const onnx::NodeProto& n) const;
  // Output beats per frame: the product of the folded output shape but its last dim.
  virtual int64_t number_output_values(const onnx::NodeProto& n) const;

  // --- estimates (estimates.md §3): FINN v0.6's formulas bit for bit ----------------------
  virtual int64_t exp_cycles(const onnx::NodeProto& n) const { return 0; }
  virtual int64_t bram_estimation(const onnx::NodeProto& n) const { return 0; }
  // nullopt stands for FINN's integer 1 (no BRAM, efficiency not computed).
  virtual std::optional<double> bram_efficiency(const onnx::NodeProto& n) const {
    return std::nullopt;
  }
  virtual int64_t lut_estimation(const onnx::NodeProto& n) const { return 0; }
  virtual int64_t uram_estimation(const onnx::NodeProto& n) const { return 0; }
  virtual std::optional<double> uram_efficiency(const onnx::NodeProto& n) const {
    return std::nullopt;
  }
  virtual int64_t dsp_estimation(const onnx::NodeProto& n) const { return 0; }
  // {"op_mac_...": n, "param_weight_...": n, ...}; {} for ops without (estimates.md §2.5).
  virtual nlohmann::ordered_json op_and_param_counts(const onnx::NodeProto& n) const {
    return nlohmann::ordered_json::object();
  }
  // FINN's node_res_estimation(): BRAM_18K, BRAM_efficiency, LUT, URAM, URAM_efficiency, DSP.
  nlohmann::ordered_json resource_estimates(const onnx::NodeProto& n) const;

  // MinimizeAccumulatorWidth (dialect.md §3.4): narrows accDataType / weightDataType from
  // the actual weights and thresholds. Ops without accumulators do nothing.
  virtual void minimize_accumulator_width(Model& model, int node_index) const {}

  // --- RTL (hardware.md §1, hls/README.md) ----------------------------------------------
  // ipgen: writes the node's wrapper module (named after the node, AXI-Stream in0_V/out_V
  // with padded TDATA) and its memory files into `dir`, and says what it wrote. `model`
  // holds the node's initializers. Ops without hardware fail naming the node.
  virtual RtlModule generate_rtl(const Model& model, const onnx::NodeProto& n,
                                 const std::filesystem::path& dir) const;

  std::vector<Shape> infer_shapes(const onnx::NodeProto& n,
                                  const std::vector<std::optional<Shape>>& inputs) const override;
  // FINN's infer_node_datatype: the input tensor's datatype is copied into inputDataType,
  // the output annotated with output_datatype().
  void infer_datatypes(Model& model, int node_index) const override;
};

// Domain starts with "finn" and backend == "fpgadataflow" (finn-base util/fpgadataflow.py).
bool is_fpgadataflow_node(const onnx::NodeProto& node);
// The node's HwOp, or nullptr for anything else.
const HwOp* hw_op_of(const onnx::NodeProto& node);

// The largest dimension (MW, MH, NumChannels, ...) whose divisors shoal lists: 2^40, a
// million trial divisions; tensors are far smaller (limits.hpp).
inline constexpr int64_t kMaxFoldedDimension = int64_t{1} << 40;
// Every divisor of n, ascending: the values PE or SIMD may take (none when n < 1); an Error
// when n is above kMaxFoldedDimension.
std::vector<int64_t> divisors(int64_t n);
// "1, 2, 3, 6": the values a folding factor of n may take, for error messages (the first and
// last 16 where there are more than 32; "the divisors of n" above kMaxFoldedDimension).
std::string divisor_list(int64_t n);

// The folding factor attribute `factor` (SIMD or PE) of node n, checked to divide the
// attribute `total` (MW, NumChannels, ...): else an error naming the node, both values and
// the values the factor may take.
int64_t folding_factor(const onnx::NodeProto& n, const char* factor, const char* total);

// roundup_to_integer_multiple (finn-base util/basic.py): factor when x < factor.
int64_t roundup_to_multiple(int64_t x, int64_t factor);

}  // namespace shoal

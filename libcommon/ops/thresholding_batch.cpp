// Thresholding_Batch: a standalone activation (estimates.md §3.2, hardware.md §1.4),
// y = ActVal + #{k : x >= T[c, k]} with the channel on the last axis.
#include <algorithm>
#include <cmath>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/ops/kernels.hpp"

namespace shoal {
namespace {

class ThresholdingBatch : public HwOp {
 public:
  std::string_view op_type() const override { return "Thresholding_Batch"; }
  int min_inputs() const override { return 2; }
  std::vector<AttrSpec> own_attr_specs() const override {
    return {int_attr("PE", 0, true), int_attr("NumChannels", 0, true),
            int_attr("numSteps", 1, true),
            string_attr("ram_style", "distributed", false, {"distributed", "block"}),
            string_attr("inputDataType", "", true), string_attr("weightDataType", "", true),
            string_attr("outputDataType", "", true), ints_attr("numInputVectors", {1}),
            int_attr("ActVal", 0), string_attr("mem_mode", "const", false, {"const", "decoupled"}),
            int_attr("runtime_writeable_weights", 0, false, {0, 1}),
            // declared 0 in FINN but shadowed by HLSCustomOp's 2 (estimates.md §3.0)
            int_attr("inFIFODepth", 0), int_attr("outFIFODepth", 0)};
  }
  static Shape normal(const onnx::NodeProto& n) {
    Shape s = NodeAttrs(n).ints("numInputVectors");
    s.push_back(NodeAttrs(n).i("NumChannels"));
    return s;
  }
  static Shape folded(const onnx::NodeProto& n) {
    NodeAttrs a(n);
    int64_t c = a.i("NumChannels"), pe = folding_factor(n, "PE", "NumChannels");
    Shape s = a.ints("numInputVectors");
    s.push_back(c / pe);
    s.push_back(pe);
    return s;
  }
  Shape normal_input_shape(const onnx::NodeProto& n, int) const override { return normal(n); }
  Shape normal_output_shape(const onnx::NodeProto& n) const override { return normal(n); }
  Shape folded_input_shape(const onnx::NodeProto& n, int) const override { return folded(n); }
  Shape folded_output_shape(const onnx::NodeProto& n) const override { return folded(n); }
  DataType input_datatype(const onnx::NodeProto& n, int) const override {
    return NodeAttrs(n).dt("inputDataType");
  }
  DataType output_datatype(const onnx::NodeProto& n) const override {
    return NodeAttrs(n).dt("outputDataType");
  }

  // --- estimates (estimates.md §3.2) ---
  int64_t exp_cycles(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    folded(n);
    int64_t r = 1;
    for (auto v : a.ints("numInputVectors")) r *= v;
    return r * (a.i("NumChannels") / a.i("PE"));
  }
  int64_t bram_estimation(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    int64_t P = a.i("PE"), A = a.dt("inputDataType").bitwidth(), tmem = a.i("NumChannels") / P;
    if (a.s("ram_style") == "block" && tmem > 1)
      return static_cast<int64_t>(std::ceil(static_cast<double>(A * P) / 16)) *
             static_cast<int64_t>(std::ceil(static_cast<double>(tmem) / 1024));
    return 0;
  }
  int64_t lut_estimation(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    int64_t P = a.i("PE"), A = a.dt("inputDataType").bitwidth(), tmem = a.i("NumChannels") / P;
    int64_t lutram = 0;
    if (a.s("ram_style") == "distributed" && tmem > 1)
      lutram = P * A * static_cast<int64_t>(std::ceil(static_cast<double>(tmem) / 64));
    return A * P + lutram;
  }
  nlohmann::ordered_json op_and_param_counts(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    nlohmann::ordered_json r;
    r["param_threshold_" + std::to_string(a.dt("weightDataType").bitwidth()) + "b"] =
        a.i("NumChannels") * a.i("numSteps");
    return r;
  }

  // v0.6 rule (thresholding_batch.py:212): weightDataType covers the input type's range and
  // the threshold values.
  void minimize_accumulator_width(Model& m, int idx) const override {
    auto& n = m.node(idx);
    auto T = m.initializer(n.input(1));
    if (!T) fail("{}: the thresholds '{}' are not constant", describe(n), n.input(1));
    DataType idt = NodeAttrs(n).dt("inputDataType");
    double tmin = idt.min(), tmax = idt.max();
    for (int64_t i = 0; i < T->size(); ++i) {
      tmin = std::min(tmin, T->get(i));
      tmax = std::max(tmax, T->get(i));
    }
    DataType tdt = tmin < 0
                       ? *DataType::smallest_possible(std::fabs(tmin) > tmax ? tmin : -tmax - 1)
                       : *DataType::smallest_possible(tmax);
    set_attr(n, "weightDataType", tdt.name());
  }

  RtlModule generate_rtl(const Model& m, const onnx::NodeProto& n,
                         const std::filesystem::path& dir) const override {
    NodeAttrs a(n);
    const std::string name = n.name();
    int64_t c = a.i("NumChannels"), pe = a.i("PE");
    folded(n);  // checks PE
    DataType idt = a.dt("inputDataType"), odt = a.dt("outputDataType");
    if (!idt.is_integer() || !odt.is_integer())
      fail("{}: {} -> {} is not integer thresholding, no hardware", describe(n), idt.name(),
           odt.name());
    ThresholdMatrix t = node_hw_thresholds(m, n);
    bool t_signed = t.min() < 0;
    int t_bits = t_signed ? signed_bits_for(t.min(), t.max()) : unsigned_bits_for(t.max());
    bool bipolar = odt == DataType::bipolar();
    int64_t act_val = a.i("ActVal");
    if (bipolar && (act_val != 0 || t.steps != 1))
      fail("{}: a BIPOLAR output needs one threshold and ActVal 0", describe(n));
    int ibits = idt.bitwidth(), obits = odt.bitwidth();
    std::string tfile = name + "_thresholds.dat";
    std::string v = wrapper_header(
        name,
        {fmt::format("{}: Thresholding_Batch, generated by shoal ipgen.", name),
         fmt::format("{} channels, PE {}, {} thresholds each ({}{} bits); {} -> {}, ActVal {}", c,
                     pe, t.steps, t_signed ? "signed " : "unsigned ", t_bits, idt.name(),
                     odt.name(), act_val)},
        instream_width_padded(n), outstream_width_padded(n));
    v += "  // verilator lint_off UNUSED\n";
    v += fmt::format(
        "  wire [{}:0] thr_out;\n"
        "  shoal_thresholding #(.NUM_CHANNELS({}), .PE({}), .NUM_STEPS({}), .IN_BITS({}),\n"
        "    .INPUT_SIGNED({}), .T_BITS({}), .T_SIGNED({}), .OUT_BITS({}), .ACT_VAL({}),\n"
        "    .THRESH_FILE({})) thresholding (\n"
        "    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),\n"
        "    .in0_V_TDATA(in0_V_TDATA[{}:0]), .in0_V_TVALID(in0_V_TVALID), "
        ".in0_V_TREADY(in0_V_TREADY),\n"
        "    .out_V_TDATA(thr_out), .out_V_TVALID(out_V_TVALID), .out_V_TREADY(out_V_TREADY));\n",
        pe * obits - 1, c, pe, t.steps, ibits,
        idt.is_signed() && idt != DataType::bipolar() ? 1 : 0, t_bits, t_signed ? 1 : 0, obits,
        verilog_int(act_val), verilog_string(tfile), pe * ibits - 1);
    v += "  // verilator lint_on UNUSED\n";
    v += "  assign out_V_TDATA = " +
         repack_lanes("thr_out", pe, obits, obits, outstream_width_padded(n)) + ";\n" +
         wrapper_footer();
    write_file_atomic((dir / tfile).string(), threshold_memory_file(t, pe, t_bits));
    write_file_atomic((dir / (name + ".v")).string(), v);
    return {name, {name + ".v"}, {tfile}, {"shoal_thresholding.sv"}};
  }

  void execute(ExecContext& c) const override {
    NodeAttrs a(c.node);
    bool bipolar = a.dt("outputDataType") == DataType::bipolar();
    Tensor y = multithreshold(c.in(0), c.in(1), 1.0f, static_cast<float>(a.i("ActVal")), "NHWC");
    if (bipolar)
      for (float& v : y.span<float>()) v = 2 * v - 1;
    c.outputs[0] = std::move(y);
  }
};

}  // namespace

void register_thresholding_batch_op() {
  register_op(std::make_unique<ThresholdingBatch>());
}

}  // namespace shoal

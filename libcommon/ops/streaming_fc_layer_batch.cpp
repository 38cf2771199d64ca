// StreamingFCLayer_Batch: the matrix-vector(-activation) unit (estimates.md §3.1,
// hardware.md §1.2). y = x·W (popcount of XNOR in binaryXnorMode), then, unless
// noActivation, ActVal + #{k : acc >= T[c, k]} (a BIPOLAR output maps count c to 2c-1).
#include <algorithm>
#include <cmath>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/ops/kernels.hpp"

namespace shoal {
namespace {

class StreamingFCLayerBatch : public HwOp {
 public:
  std::string_view op_type() const override { return "StreamingFCLayer_Batch"; }
  int min_inputs() const override { return 2; }
  std::vector<AttrSpec> own_attr_specs() const override {
    return {int_attr("PE", 0, true),
            int_attr("SIMD", 0, true),
            int_attr("MW", 0, true),
            int_attr("MH", 0, true),
            string_attr("resType", "lut", false, {"auto", "lut", "dsp"}),
            int_attr("ActVal", 0),
            string_attr("inputDataType", "", true),
            string_attr("weightDataType", "", true),
            string_attr("outputDataType", "", true),
            string_attr("accDataType", "INT32"),
            int_attr("binaryXnorMode", 0, false, {0, 1}),
            int_attr("noActivation", 0, false, {0, 1}),
            ints_attr("numInputVectors", {1}),
            string_attr("mem_mode", "const", false, {"const", "decoupled", "external"}),
            string_attr("ram_style", "auto", false, {"auto", "block", "distributed", "ultra"}),
            int_attr("runtime_writeable_weights", 0, false, {0, 1})};
  }

  static Shape vecs(const onnx::NodeProto& n) { return NodeAttrs(n).ints("numInputVectors"); }

  Shape normal_input_shape(const onnx::NodeProto& n, int) const override {
    Shape s = vecs(n);
    s.push_back(NodeAttrs(n).i("MW"));
    return s;
  }
  Shape normal_output_shape(const onnx::NodeProto& n) const override {
    Shape s = vecs(n);
    s.push_back(NodeAttrs(n).i("MH"));
    return s;
  }
  Shape folded_input_shape(const onnx::NodeProto& n, int ind) const override {
    NodeAttrs a(n);
    int64_t mw = a.i("MW"), mh = a.i("MH"), simd = a.i("SIMD"), pe = a.i("PE");
    check_folding(n);
    Shape s = vecs(n);
    if (ind == 1) {  // the external weight stream
      s.push_back((mw / simd) * (mh / pe));
      s.push_back(simd * pe);
    } else {
      s.push_back(mw / simd);
      s.push_back(simd);
    }
    return s;
  }
  Shape folded_output_shape(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    check_folding(n);
    Shape s = vecs(n);
    s.push_back(a.i("MH") / a.i("PE"));
    s.push_back(a.i("PE"));
    return s;
  }
  DataType input_datatype(const onnx::NodeProto& n, int ind) const override {
    return NodeAttrs(n).dt(ind == 1 ? "weightDataType" : "inputDataType");
  }
  DataType output_datatype(const onnx::NodeProto& n) const override {
    return NodeAttrs(n).dt("outputDataType");
  }
  int64_t instream_width(const onnx::NodeProto& n, int ind) const override {
    NodeAttrs a(n);
    if (ind == 1) return weightstream_width(n);
    return a.i("SIMD") * a.dt("inputDataType").bitwidth();
  }
  int64_t outstream_width(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    return a.i("PE") * a.dt("outputDataType").bitwidth();
  }
  static int64_t weightstream_width(const onnx::NodeProto& n) {
    NodeAttrs a(n);
    std::string mode = a.s("mem_mode");
    if (mode != "decoupled" && mode != "external") return 0;
    return a.i("PE") * a.i("SIMD") * a.dt("weightDataType").bitwidth();
  }

  static void check_folding(const onnx::NodeProto& n) {
    folding_factor(n, "SIMD", "MW");
    folding_factor(n, "PE", "MH");
  }

  // --- estimates (estimates.md §3.1); every expression in double, as Python evaluates it ---
  struct Dims {
    int64_t P, Q, MW, MH, W, A, B, wmem, tmem;
    double R;
    std::string mem_mode, ram_style, res_type;
    bool no_activation;
  };
  static Dims dims(const onnx::NodeProto& n) {
    NodeAttrs a(n);
    check_folding(n);
    Dims d;
    d.P = a.i("PE");
    d.Q = a.i("SIMD");
    d.MW = a.i("MW");
    d.MH = a.i("MH");
    d.W = a.dt("weightDataType").bitwidth();
    d.A = a.dt("inputDataType").bitwidth();
    d.B = a.dt("outputDataType").bitwidth();
    d.wmem = d.MW * d.MH / (d.P * d.Q);
    d.no_activation = a.i("noActivation") != 0;
    d.tmem = d.no_activation ? 0 : d.MH / d.P;
    d.R = 1;
    for (auto v : a.ints("numInputVectors")) d.R *= static_cast<double>(v);
    d.mem_mode = a.s("mem_mode");
    d.ram_style = a.s("ram_style");
    d.res_type = a.s("resType");
    return d;
  }
  int64_t exp_cycles(const onnx::NodeProto& n) const override {
    Dims d = dims(n);
    return static_cast<int64_t>((static_cast<double>(d.MH) / d.P) *
                                (static_cast<double>(d.MW) / d.Q) * d.R / 1);
  }
  int64_t bram_estimation(const onnx::NodeProto& n) const override {
    Dims d = dims(n);
    double omega = static_cast<double>(d.MW * d.MH) / static_cast<double>(d.Q * d.P);
    double mw = static_cast<double>(d.Q * d.W * d.P);
    if ((d.mem_mode == "decoupled" && (d.ram_style == "distributed" || d.ram_style == "ultra")) ||
        (d.mem_mode == "const" && d.wmem <= 128) || d.mem_mode == "external")
      return 0;
    double r;
    if (mw == 1)
      r = std::ceil(omega / 16384);
    else if (mw == 2)
      r = std::ceil(omega / 8192);
    else if (mw <= 4)
      r = std::ceil(omega / 4096) * std::ceil(mw / 4);
    else if (mw <= 9)
      r = std::ceil(omega / 2048) * std::ceil(mw / 9);
    else if (mw <= 18 || omega > 512)
      r = std::ceil(omega / 1024) * std::ceil(mw / 18);
    else
      r = std::ceil(omega / 512) * std::ceil(mw / 36);
    return static_cast<int64_t>(r);
  }
  std::optional<double> bram_efficiency(const onnx::NodeProto& n) const override {
    int64_t bram = bram_estimation(n);
    if (bram == 0) return std::nullopt;
    Dims d = dims(n);
    return static_cast<double>(d.W * d.MW * d.MH) / static_cast<double>(bram * 36 * 512);
  }
  int64_t uram_estimation(const onnx::NodeProto& n) const override {
    Dims d = dims(n);
    double omega = static_cast<double>(d.MW * d.MH) / static_cast<double>(d.Q * d.P);
    double mw = static_cast<double>(d.Q * d.W * d.P);
    if ((d.mem_mode == "decoupled" && d.ram_style != "ultra") ||
        (d.mem_mode == "const" && d.wmem <= 128) || d.mem_mode == "external")
      return 0;
    return static_cast<int64_t>(std::ceil(mw / 72) * std::ceil(omega / 4096));
  }
  std::optional<double> uram_efficiency(const onnx::NodeProto& n) const override {
    int64_t uram = uram_estimation(n);
    if (uram == 0) return std::nullopt;
    Dims d = dims(n);
    return static_cast<double>(d.W * d.MW * d.MH) / static_cast<double>(uram * 72 * 4096);
  }
  int64_t lut_estimation(const onnx::NodeProto& n) const override {
    Dims d = dims(n);
    double c2 = 0;
    if ((d.mem_mode == "decoupled" && d.ram_style == "distributed") ||
        (d.mem_mode == "const" && d.wmem <= 128))
      c2 = static_cast<double>(d.P * d.Q * d.W) * std::ceil(static_cast<double>(d.wmem) / 64);
    double wa = static_cast<double>(d.W + d.A);
    double mult = d.res_type == "dsp" ? 0.0 : d.Q * (2 * std::ceil(wa / 6) - 1) * wa;
    double adder = wa * (2 * d.Q - 1);
    // log(MW)/log(2), not log2 (estimates.md §7)
    double acc = wa + std::ceil(std::log(static_cast<double>(d.MW)) / std::log(2.0));
    double thr = 0, comp = 0;
    if (!d.no_activation) {
      double levels = std::ldexp(1.0, static_cast<int>(d.B)) - 1;
      thr = levels * acc * std::ceil(static_cast<double>(d.tmem) / 64);
      comp = levels * acc;
    }
    double sum = mult + adder;
    sum = sum + acc;
    sum = sum + thr;
    sum = sum + comp;
    return static_cast<int64_t>(300 + 1.1 * (d.P * sum) + c2);
  }
  int64_t dsp_estimation(const onnx::NodeProto& n) const override {
    Dims d = dims(n);
    if (d.res_type != "dsp") return 0;
    return static_cast<int64_t>(d.P * d.Q * std::ceil(static_cast<double>(d.W + d.A) / 48));
  }
  nlohmann::ordered_json op_and_param_counts(const onnx::NodeProto& n) const override {
    Dims d = dims(n);
    NodeAttrs a(n);
    nlohmann::ordered_json r;
    int64_t lo = std::min(d.A, d.W), hi = std::max(d.A, d.W);  // FINN puts the smaller width first
    int64_t R = 1;
    for (auto v : a.ints("numInputVectors")) R *= v;
    r["op_mac_" + std::to_string(lo) + "bx" + std::to_string(hi) + "b"] = d.MW * d.MH * R;
    r["param_weight_" + std::to_string(d.W) + "b"] = d.MW * d.MH;
    if (!d.no_activation)
      r["param_threshold_" + std::to_string(a.dt("accDataType").bitwidth()) + "b"] = d.MH;
    return r;
  }

  // v0.6 rule (streamingfclayer_batch.py:569): the accumulator range from the weights and
  // the input type's full range (binary weights and inputs count as 0/1); thresholds are
  // clipped into [acc_min, acc_max + 1]; without activation the width is rounded up to a
  // multiple of 8 and becomes the output type.
  void minimize_accumulator_width(Model& m, int idx) const override {
    auto& n = m.node(idx);
    NodeAttrs a(n);
    auto W = m.initializer(n.input(1));
    if (!W) fail("{}: the weights '{}' are not constant", describe(n), n.input(1));
    double wmin = INFINITY, wmax = -INFINITY;
    for (int64_t i = 0; i < W->size(); ++i) {
      wmin = std::min(wmin, W->get(i));
      wmax = std::max(wmax, W->get(i));
    }
    DataType idt = a.dt("inputDataType");
    double imin = idt.min(), imax = idt.max();
    double mw = static_cast<double>(W->shape()[0]);
    double p[4] = {wmin * imax, wmin * imin, wmax * imax, wmax * imin};
    double acc_min = mw * std::min({p[0], p[1], p[2], p[3]});
    double acc_max = mw * std::max({p[0], p[1], p[2], p[3]});
    auto pick = [](double lo, double hi) {
      if (lo < 0) return *DataType::smallest_possible(std::fabs(lo) > hi ? lo : 0 - hi);
      return *DataType::smallest_possible(hi);
    };
    if (n.input_size() > 2 && !a.i("noActivation")) {
      auto T = m.initializer(n.input(2));
      if (!T) fail("{}: the thresholds '{}' are not constant", describe(n), n.input(2));
      double tmin = INFINITY, tmax = -INFINITY;
      for (int64_t i = 0; i < T->size(); ++i) {
        tmin = std::min(tmin, T->get(i));
        tmax = std::max(tmax, T->get(i));
      }
      if (tmax > acc_max + 1 || tmin < acc_min) {
        Tensor clipped = T->astype(ElemType::Float);
        for (float& v : clipped.span<float>())
          v = static_cast<float>(std::min(std::max<double>(v, acc_min), acc_max + 1));
        DataType tdt = m.datatype(n.input(2));
        m.set_initializer(n.input(2), clipped);
        m.set_datatype(n.input(2), tdt);
        tmin = std::max(tmin, acc_min);
        tmax = std::min(tmax, acc_max + 1);
      }
      DataType tdt = pick(std::min(acc_min, tmin), std::max(acc_max, tmax));
      set_attr(n, "accDataType", tdt.name());
    } else {
      DataType adt = pick(acc_min, acc_max);
      // a datatype divisible by 8 bits in case this is the last node
      if (adt.kind() == DataType::Kind::UInt || adt.kind() == DataType::Kind::Int)
        adt = adt.with_bitwidth(static_cast<int>(roundup_to_multiple(adt.bitwidth(), 8)));
      set_attr(n, "accDataType", adt.name());
      set_attr(n, "outputDataType", adt.name());
    }
  }

  // shoal_memstream (the weights, FINN's memblock layout) feeding shoal_mvau. mem_mode const
  // and decoupled give the same circuit here: the weights always come from a streamer.
  RtlModule generate_rtl(const Model& m, const onnx::NodeProto& n,
                         const std::filesystem::path& dir) const override {
    NodeAttrs a(n);
    check_folding(n);
    const std::string name = n.name();
    int64_t mw = a.i("MW"), mh = a.i("MH"), simd = a.i("SIMD"), pe = a.i("PE");
    int64_t sf = mw / simd, nf = mh / pe;
    DataType idt = a.dt("inputDataType"), wdt = a.dt("weightDataType"),
             odt = a.dt("outputDataType"), adt = a.dt("accDataType");
    bool xnor = a.i("binaryXnorMode") != 0, no_act = a.i("noActivation") != 0;
    if (a.s("mem_mode") == "external")
      fail("{}: mem_mode external (weights streamed in from outside) has no RTL in shoal yet",
           describe(n));
    for (const auto& [what, dt] : {std::pair{"input", idt}, {"weight", wdt}, {"output", odt}})
      if (!dt.is_integer())
        fail("{}: {} datatype {} is not an integer type, no hardware", describe(n), what,
             dt.name());
    auto W = m.initializer(n.input(1));
    if (!W || W->size() != mw * mh)
      fail("{}: the weights '{}' are not a constant {}x{} matrix", describe(n), n.input(1), mw, mh);
    bool ibip = idt == DataType::bipolar(), wbip = wdt == DataType::bipolar();
    int wbits = wdt.bitwidth(), ibits = idt.bitwidth(), obits = odt.bitwidth();

    // Weight word t = nf*SF + sf holds W[sf*SIMD + s][nf*PE + p] at field p*SIMD + s.
    std::string weights;
    for (int64_t f = 0; f < nf; ++f)
      for (int64_t k = 0; k < sf; ++k) {
        PackedWord word(pe * simd * wbits);
        for (int64_t p = 0; p < pe; ++p)
          for (int64_t s = 0; s < simd; ++s) {
            double w = W->get((k * simd + s) * mh + f * pe + p);
            if (!wdt.allowed(w))
              fail("{}: weight {} is not a {} value", describe(n), w, wdt.name());
            word.put((p * simd + s) * wbits, wbits,
                     wbip ? (w > 0 ? 1 : 0) : static_cast<int64_t>(w));
          }
        weights += word.hex() + "\n";
      }

    // The accumulator holds accDataType's range (MinimizeAccumulatorWidth made it cover the
    // reachable sums) and every threshold, in two's complement.
    int64_t lo = static_cast<int64_t>(adt.min()), hi = static_cast<int64_t>(adt.max());
    int64_t steps = 0, act_val = 0;
    std::string thresholds;
    int acc_bits;
    if (!no_act) {
      auto T = m.initializer(n.input(2));
      if (!T) fail("{}: the thresholds '{}' are not constant", describe(n), n.input(2));
      ThresholdMatrix t = hw_thresholds(*T, mh, describe(n));
      steps = t.steps;
      acc_bits = signed_bits_for(std::min(lo, t.min()), std::max(hi, t.max()));
      thresholds = threshold_memory_file(t, pe, acc_bits);
      act_val = odt == DataType::bipolar() ? 0 : a.i("ActVal");
    } else {
      acc_bits = signed_bits_for(lo, hi);
    }
    int mod_out = no_act ? acc_bits : obits;  // the module's output lane width

    // A 1-bit operand (XNOR, bipolar, binary) leaves no multipliers, only selects and
    // negations in front of shallow popcount-like trees; with at most 3 thresholds after
    // them, one pipeline stage suffices and the layer's latency drops to 1 cycle. Layers
    // with multipliers or many thresholds register the sums (2 cycles).
    bool register_sum = !((xnor || ibits == 1 || wbits == 1) && steps <= 3);
    std::string wfile = name + "_weights.dat", tfile = name + "_thresholds.dat";
    int64_t in_padded = instream_width_padded(n), out_padded = outstream_width_padded(n);
    std::string v = wrapper_header(
        name,
        {fmt::format("{}: StreamingFCLayer_Batch, generated by shoal ipgen.", name),
         fmt::format("MW {} MH {} SIMD {} PE {}; input {}, weights {}, output {}, accumulator "
                     "{} ({} bits){}{}",
                     mw, mh, simd, pe, idt.name(), wdt.name(), odt.name(), adt.name(), acc_bits,
                     xnor ? ", XNOR-popcount" : "", no_act ? ", no activation" : "")},
        in_padded, out_padded);
    v += "  // verilator lint_off UNUSED\n";
    v += fmt::format(
        "  wire [{}:0] weights_TDATA;\n"
        "  wire weights_TVALID;\n"
        "  wire weights_TREADY;\n"
        "  wire [{}:0] mvau_out;\n"
        "  shoal_memstream #(.DEPTH({}), .WIDTH({}), .INIT_FILE({})) weights (\n"
        "    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),\n"
        "    .out_V_TDATA(weights_TDATA), .out_V_TVALID(weights_TVALID), "
        ".out_V_TREADY(weights_TREADY));\n",
        pe * simd * wbits - 1, pe * mod_out - 1, nf * sf, pe * simd * wbits, verilog_string(wfile));
    v += fmt::format(
        "  shoal_mvau #(.MW({}), .MH({}), .PE({}), .SIMD({}), .IN_BITS({}), .WEIGHT_BITS({}),\n"
        "    .ACC_BITS({}), .OUT_BITS({}), .INPUT_SIGNED({}), .WEIGHT_SIGNED({}),\n"
        "    .INPUT_BIPOLAR({}), .WEIGHT_BIPOLAR({}), .XNOR({}), .NUM_STEPS({}), .T_BITS({}),\n"
        "    .ACT_VAL({}), .REGISTER_SUM({}), .THRESH_FILE({})) mvau (\n"
        "    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),\n"
        "    .in0_V_TDATA(in0_V_TDATA[{}:0]), .in0_V_TVALID(in0_V_TVALID), "
        ".in0_V_TREADY(in0_V_TREADY),\n"
        "    .weights_V_TDATA(weights_TDATA), .weights_V_TVALID(weights_TVALID),\n"
        "    .weights_V_TREADY(weights_TREADY),\n"
        "    .out_V_TDATA(mvau_out), .out_V_TVALID(out_V_TVALID), .out_V_TREADY(out_V_TREADY));\n",
        mw, mh, pe, simd, ibits, wbits, acc_bits, mod_out, idt.is_signed() && !ibip ? 1 : 0,
        wdt.is_signed() && !wbip ? 1 : 0, ibip && !xnor ? 1 : 0, wbip && !xnor ? 1 : 0,
        xnor ? 1 : 0, steps, acc_bits, verilog_int(act_val), register_sum ? 1 : 0,
        verilog_string(no_act ? std::string() : tfile), simd * ibits - 1);
    v += "  // verilator lint_on UNUSED\n";
    v += "  assign out_V_TDATA = " + repack_lanes("mvau_out", pe, mod_out, obits, out_padded) +
         ";\n" + wrapper_footer();

    RtlModule r{name, {name + ".v"}, {wfile}, {"shoal_memstream.sv", "shoal_mvau.sv"}};
    write_file_atomic((dir / wfile).string(), weights);
    if (!no_act) {
      write_file_atomic((dir / tfile).string(), thresholds);
      r.data_files.push_back(tfile);
    }
    write_file_atomic((dir / r.sources[0]).string(), v);
    return r;
  }

  void execute(ExecContext& c) const override {
    NodeAttrs a(c.node);
    Tensor x = c.in(0);
    const Tensor& w = c.in(1);
    int64_t mw = a.i("MW"), mh = a.i("MH");
    if (w.rank() != 2 || w.shape()[0] != mw || w.shape()[1] != mh)
      fail("weights have shape {}, expected [{}, {}]", format_shape(w.shape()), mw, mh);
    // After RemoveCNVtoFCFlatten the input tensor is the NHWC map [1, H, W, C] while MW is
    // H·W·C and numInputVectors [1]: the stream is one vector in (h, w, c) order (conv.md
    // §3.3), which is the row-major flattening.
    if (!x.shape().empty() && x.shape().back() != mw) {
      Shape flat = normal_input_shape(c.node, 0);
      if (x.size() != element_count(flat))
        fail("{}: input has shape {}, which is not numInputVectors {} of MW {}", describe(c.node),
             format_shape(x.shape()), format_shape(vecs(c.node)), mw);
      x = x.reshaped(flat);
    }
    Tensor acc = a.i("binaryXnorMode") ? xnor_popcount_matmul(x, w) : matmul(x, w);
    if (a.i("noActivation")) {
      c.outputs[0] = std::move(acc);
      return;
    }
    bool bipolar = a.dt("outputDataType") == DataType::bipolar();
    float bias = bipolar ? -1.0f : static_cast<float>(a.i("ActVal"));
    c.outputs[0] = multithreshold(acc, c.in(2), bipolar ? 2.0f : 1.0f, bias, "NHWC");
  }
};

}  // namespace

void register_streaming_fc_layer_batch_op() {
  register_op(std::make_unique<StreamingFCLayerBatch>());
}

}  // namespace shoal

#include "shoal/ops/hw_op.hpp"

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"

namespace shoal {

namespace {
// HLSCustomOp's common attributes (estimates.md §3.0).
std::vector<AttrSpec> common_attrs() {
  return {string_attr("backend", "fpgadataflow", true), string_attr("code_gen_dir_cppsim", ""),
          string_attr("code_gen_dir_ipgen", ""), string_attr("executable_path", ""),
          string_attr("ipgen_path", ""), string_attr("ip_path", ""), string_attr("ip_vlnv", ""),
          string_attr("exec_mode", "", false, {"", "rtlsim", "cppsim"}),
          int_attr("cycles_rtlsim", 0), int_attr("cycles_estimate", 0),
          string_attr("rtlsim_trace", ""), string_attr("res_estimate", ""),
          string_attr("res_hls", ""), string_attr("res_synth", ""), string_attr("rtlsim_so", ""),
          int_attr("slr", -1), string_attr("mem_port", ""), int_attr("partition_id", 0),
          int_attr("device_id", 0), int_attr("inFIFODepth", 2), int_attr("outFIFODepth", 2),
          // the Verilog module ipgen generated for the node (as FINN's RTL ops record it)
          string_attr("gen_top_module", "")};
}
}  // namespace

std::vector<AttrSpec> HwOp::attr_specs() const {
  std::vector<AttrSpec> out;
  auto common = common_attrs();
  for (const auto& s : own_attr_specs()) {
    bool shadowed = false;
    for (const auto& c : common) shadowed |= c.name == s.name;
    if (!shadowed) out.push_back(s);
  }
  out.insert(out.end(), common.begin(), common.end());
  return out;
}

RtlModule HwOp::generate_rtl(const Model&, const onnx::NodeProto& n,
                             const std::filesystem::path&) const {
  fail("{}: shoal has no RTL for {} yet", describe(n), n.op_type());
}

int64_t HwOp::instream_width(const onnx::NodeProto& n, int ind) const {
  return folded_input_shape(n, ind).back() * input_datatype(n, ind).bitwidth();
}

int64_t HwOp::outstream_width(const onnx::NodeProto& n) const {
  return folded_output_shape(n).back() * output_datatype(n).bitwidth();
}

std::vector<int64_t> divisors(int64_t n) {
  if (n > kMaxFoldedDimension)
    fail("a dimension of {} is more than the {} shoal folds", n, kMaxFoldedDimension);
  // Pairs (i, n / i) up to the square root: a model's MW or NumChannels may be large.
  std::vector<int64_t> low, high;
  for (int64_t i = 1; i <= n / i; ++i)
    if (n % i == 0) {
      low.push_back(i);
      if (i != n / i) high.push_back(n / i);
    }
  low.insert(low.end(), high.rbegin(), high.rend());
  return low;
}

std::string divisor_list(int64_t n) {
  if (n > kMaxFoldedDimension) return fmt::format("the divisors of {}", n);
  std::vector<int64_t> d = divisors(n);
  // A message lists at most 32 of them: a highly composite total has thousands.
  constexpr std::size_t kShown = 32;
  std::string s;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i == kShown / 2 && d.size() > kShown) {
      s += ", ...";
      i = d.size() - kShown / 2;
    }
    s += (s.empty() ? "" : ", ") + std::to_string(d[i]);
  }
  return s;
}

int64_t folding_factor(const onnx::NodeProto& n, const char* factor, const char* total) {
  NodeAttrs a(n);
  int64_t f = a.i(factor), t = a.i(total);
  if (f < 1 || t % f != 0)
    fail("{}: {}={} does not divide {}={} (allowed: {})", describe(n), factor, f, total, t,
         divisor_list(t));
  return f;
}

int64_t roundup_to_multiple(int64_t x, int64_t factor) {
  if (x < factor) return factor;
  return (x + factor - 1) / factor * factor;
}

int64_t HwOp::instream_width_padded(const onnx::NodeProto& n, int ind) const {
  return roundup_to_multiple(instream_width(n, ind), 8);
}

int64_t HwOp::outstream_width_padded(const onnx::NodeProto& n) const {
  return roundup_to_multiple(outstream_width(n), 8);
}

int64_t HwOp::number_output_values(const onnx::NodeProto& n) const {
  Shape s = folded_output_shape(n);
  int64_t v = 1;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) v *= s[i];
  return v;
}

std::vector<Shape> HwOp::infer_shapes(const onnx::NodeProto& n,
                                      const std::vector<std::optional<Shape>>&) const {
  return {normal_output_shape(n)};
}

void HwOp::infer_datatypes(Model& m, int idx) const {
  auto& n = m.node(idx);
  DataType idt = m.datatype(n.input(0));
  set_attr(n, "inputDataType", idt.name());
  m.set_datatype(n.output(0), output_datatype(n));
}

nlohmann::ordered_json HwOp::resource_estimates(const onnx::NodeProto& n) const {
  nlohmann::ordered_json r;
  auto eff = [](std::optional<double> e) {
    return e ? nlohmann::ordered_json(*e) : nlohmann::ordered_json(1);
  };
  r["BRAM_18K"] = bram_estimation(n);
  r["BRAM_efficiency"] = eff(bram_efficiency(n));
  r["LUT"] = lut_estimation(n);
  r["URAM"] = uram_estimation(n);
  r["URAM_efficiency"] = eff(uram_efficiency(n));
  r["DSP"] = dsp_estimation(n);
  return r;
}

bool is_fpgadataflow_node(const onnx::NodeProto& node) {
  if (node.domain().rfind("finn", 0) != 0) return false;
  const auto* a = find_attr(node, "backend");
  return a && a->s() == "fpgadataflow";
}

const HwOp* hw_op_of(const onnx::NodeProto& node) {
  if (!is_fpgadataflow_node(node)) return nullptr;
  return dynamic_cast<const HwOp*>(find_op(node));
}

}  // namespace shoal

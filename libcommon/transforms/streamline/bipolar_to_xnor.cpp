// ConvertBipolarMatMulToXnorPopcount (finn-base bipolar_to_xnor.py, dialect.md §3.3).
#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/transforms/streamline.hpp"
#include "util.hpp"

namespace shoal {
using namespace streamline;

namespace {

bool is_bipolar_mt(const onnx::NodeProto& n) {
  return n.op_type() == "MultiThreshold" && classify_domain(n.domain()) == Domain::General &&
         attr_string(n, "out_dtype", "") == "BIPOLAR";
}

// FINN's find_upstream with a bipolar MultiThreshold as the target, following input[0].
// Only single-consumer tensors are followed: re-typing a MultiThreshold that also feeds
// other nodes would change what they see.
int find_bipolar_mt(const Model& m, std::string tensor) {
  for (;;) {
    if (m.consumers(tensor).size() != 1 || m.is_graph_output(tensor)) return -1;
    int p = m.producer(tensor);
    if (p < 0) return -1;
    if (is_bipolar_mt(m.node(p))) return p;
    if (m.node(p).input_size() == 0) return -1;
    tensor = m.node(p).input(0);
  }
}

}  // namespace

// MatMul(x, W) with x and W BIPOLAR  becomes  XnorPopcountMatMul(x', (W+1)/2) -> Mul(2) ->
// Add(-K), where x' is x in 0/1 form: the bipolar MultiThreshold upstream is switched to
// BINARY output. Where there is none (x is the graph input, or some other bipolar source)
// FINN re-annotates the graph input (changing what the model computes) or fails; shoal
// inserts MultiThreshold(x, 0) -> BINARY instead, which computes (x+1)/2 exactly.
bool convert_bipolar_matmul_to_xnor_popcount(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& n = m.node(i);
    if (n.op_type() != "MatMul" || !n.domain().empty()) continue;
    std::string x = n.input(0), w = n.input(1), out = n.output(0);
    if (m.datatype(x) != DataType::bipolar() || m.datatype(w) != DataType::bipolar()) continue;
    auto W = param(m, i);
    if (!W || W->rank() != 2) continue;
    int mt = find_bipolar_mt(m, x);
    if (mt >= 0) {
      NodeAttrs a(m.node(mt));
      if (a.f("out_scale") != 2.0f || a.f("out_bias") != -1.0f) {
        warn(fmt::format(
            "{} stays a MatMul: the bipolar MultiThreshold {} has out_scale {} and out_bias {}",
            describe(n), m.node(mt).name(), a.f("out_scale"), a.f("out_bias")));
        continue;
      }
      auto& t = m.node(mt);
      set_attr(t, "out_dtype", "BINARY");
      set_attr(t, "out_scale", 1.0f);
      set_attr(t, "out_bias", 0.0f);
      m.set_datatype(x, DataType::binary());
    } else {
      std::string bin = m.fresh_tensor_name(x + "_binary");
      std::string th = m.fresh_tensor_name("bipolar_to_binary");
      m.set_initializer(th, Tensor::from<float>({1, 1}, {0.0f}));
      auto conv = make_node("MultiThreshold", {x, th}, {bin}, kGeneralDomain);
      set_attr(conv, "out_dtype", "BINARY");
      m.node(i).set_input(0, bin);
      m.insert_node(i, conv);
      ++i;
      m.set_datatype(bin, DataType::binary());
      x = bin;
    }
    auto& mm = m.node(i);
    mm.set_op_type("XnorPopcountMatMul");
    mm.set_domain(kGeneralDomain);
    Tensor wbin = *W;
    for (float& v : wbin.span<float>()) v = (v + 1) / 2;
    std::string wname = set_param(m, i, 1, wbin);
    m.set_datatype(wname, DataType::binary());
    int64_t K = W->shape()[0];
    std::string pop = m.fresh_tensor_name(out + "_popcount");
    std::string doubled = m.fresh_tensor_name(out + "_doubled");
    std::string two = m.fresh_tensor_name("xnor_mul"), minus_k = m.fresh_tensor_name("xnor_add");
    m.set_initializer(two, Tensor::from<float>({1}, {2.0f}));
    m.set_initializer(minus_k, Tensor::from<float>({1}, {static_cast<float>(-K)}));
    m.node(i).set_output(0, pop);
    m.set_datatype(pop, DataType::uint(32));
    m.insert_node(i + 1, make_node("Mul", {pop, two}, {doubled}));
    m.insert_node(i + 2, make_node("Add", {doubled, minus_k}, {out}));
    infer_shapes(m);
    return true;
  }
  return false;
}

}  // namespace shoal

// CollapseRepeatedAdd / CollapseRepeatedMul (FINN collapse_repeated.py).
#include "shoal/core/attrs.hpp"
#include "shoal/transforms/streamline.hpp"
#include "util.hpp"

namespace shoal {
using namespace streamline;

namespace {

// Op(x, a) -> Op(., b) becomes one Op(x, a op b) under the first parameter's name. The first
// node must neither fork nor join, the second must not join. As FINN does, the new
// parameter and output are annotated FLOAT32 ("be conservative").
bool collapse(Model& m, const char* op, char combine) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& n = m.node(i);
    if (n.op_type() != op || !n.domain().empty() || !is_linear(m, i)) continue;
    int c = consumer(m, i);
    if (c < 0 || m.node(c).op_type() != op || !m.node(c).domain().empty() || m.is_join(c)) continue;
    auto a = param(m, i), b = param(m, c);
    if (!a || !b) continue;
    Tensor merged = broadcast_op(*a, *b, combine);
    std::string end = m.node(c).output(0);
    std::string pname = set_param(m, i, 1, merged);
    m.node(i).set_output(0, end);
    m.remove_node(c);
    m.set_datatype(pname, DataType::float32());
    m.set_datatype(end, DataType::float32());
    return true;
  }
  return false;
}

}  // namespace

bool collapse_repeated_add(Model& m) {
  return collapse(m, "Add", '+');
}
bool collapse_repeated_mul(Model& m) {
  return collapse(m, "Mul", '*');
}

}  // namespace shoal

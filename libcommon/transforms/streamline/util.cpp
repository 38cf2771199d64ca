#include "util.hpp"

#include "../../ops/op_util.hpp"

namespace shoal::streamline {

std::optional<Tensor> param(const Model& m, int n, int i) {
  const auto& node = m.node(n);
  if (node.input_size() <= i) return std::nullopt;
  auto t = m.initializer(node.input(i));
  if (t && t->type() != ElemType::Float) t = t->astype(ElemType::Float);
  return t;
}

bool is_scalar(const Tensor& t) {
  for (auto d : t.shape())
    if (d != 1) return false;
  return true;
}

bool is_1d(const Tensor& t) {
  int big = 0;
  for (auto d : t.shape()) big += d > 1;
  return big == 1;
}

int consumer(const Model& m, int n) {
  return m.find_consumer(m.node(n).output(0));
}

bool is_linear(const Model& m, int n) {
  return !m.is_fork(n) && !m.is_join(n);
}

Tensor as_column(const Tensor& t) {
  return t.astype(ElemType::Float).reshaped({t.size(), 1});
}

Tensor broadcast_op(const Tensor& a, const Tensor& b, char op) {
  Tensor fa = a.astype(ElemType::Float), fb = b.astype(ElemType::Float);
  return ops::broadcast_binary<float>(fa, fb, [op](float x, float y) {
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      default:
        return x / y;
    }
  });
}

}  // namespace shoal::streamline

namespace shoal::streamline {
std::string set_param(Model& m, int n, int i, const Tensor& value) {
  std::string name = m.node(n).input(i);
  int uses = 0;
  for (const auto& node : m.graph().node())
    for (const auto& in : node.input()) uses += in == name;
  if (uses > 1 || m.is_graph_input(name)) {
    name = m.fresh_tensor_name(name);
    m.node(n).set_input(i, name);
  }
  m.set_initializer(name, value);
  return name;
}
}  // namespace shoal::streamline

// Small-graph builders and comparison helpers for the unit tests.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "shoal/core/attrs.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal::test {

// A model with one float input and one float output, built node by node.
class GraphBuilder {
 public:
  GraphBuilder(const std::string& input, const Shape& shape, int opset = 13) {
    m.proto().mutable_opset_import(0)->set_version(opset);
    m.graph().add_input()->set_name(input);
    m.set_tensor_shape(input, shape);
  }
  onnx::NodeProto& node(const std::string& op, std::vector<std::string> in,
                        std::vector<std::string> out, const std::string& domain = "") {
    *m.graph().add_node() = make_node(op, std::move(in), std::move(out), domain);
    return *m.graph().mutable_node(m.graph().node_size() - 1);
  }
  void init(const std::string& name, const Tensor& t) { m.set_initializer(name, t); }
  Model finish(const std::string& output, const Shape& shape) {
    m.graph().add_output()->set_name(output);
    m.set_tensor_shape(output, shape);
    return m;
  }
  Model m;
};

// A version 1.0 .npy file's header for the header dict `dict`, padded as numpy pads it.
inline std::string npy_v1_header(const std::string& dict) {
  std::string h = dict;
  std::size_t total = 10 + h.size() + 1;
  h.append((total + 63) / 64 * 64 - total, ' ');
  h += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(h.size());
  out += '\0';
  return out + h;
}

inline Tensor floats(Shape shape, std::vector<float> v) {
  return Tensor::from<float>(std::move(shape), v);
}

inline Tensor random_ints(std::mt19937& rng, Shape shape, int lo, int hi) {
  Tensor t(ElemType::Float, std::move(shape));
  std::uniform_int_distribution<int> d(lo, hi);
  for (float& v : t.span<float>()) v = static_cast<float>(d(rng));
  return t;
}

inline Tensor random_floats(std::mt19937& rng, Shape shape, float lo, float hi) {
  Tensor t(ElemType::Float, std::move(shape));
  std::uniform_real_distribution<float> d(lo, hi);
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

inline std::vector<float> values(const Tensor& t) {
  return t.floats();
}

inline void expect_close(const Tensor& a, const Tensor& b, double atol) {
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a.get(i), b.get(i), atol) << "at " << i;
}

}  // namespace shoal::test

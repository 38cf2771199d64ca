// Standard elementwise ops: broadcasting arithmetic, comparisons, unary math, Clip, Cast,
// Identity. Float tensors compute in float32 as ONNX specifies.
#include <cmath>
#include <limits>
#include <type_traits>

#include "op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"

namespace shoal {
namespace {

template <typename F>
Tensor binary_numeric(const Tensor& a0, const Tensor& b0, F f) {
  ElemType t = a0.type();
  Tensor b = b0.type() == t ? b0 : b0.astype(t);
  switch (t) {
    case ElemType::Float:
      return ops::broadcast_binary<float>(a0, b, f);
    case ElemType::Double:
      return ops::broadcast_binary<double>(a0, b, f);
    case ElemType::Int64:
      return ops::broadcast_binary<int64_t>(a0, b, f);
    case ElemType::Int32:
      return ops::broadcast_binary<int32_t>(a0, b, f);
    default: {
      Tensor r =
          ops::broadcast_binary<float>(a0.astype(ElemType::Float), b.astype(ElemType::Float), f);
      return r.astype(t);
    }
  }
}

// Integer Add, Sub and Mul wrap around in two's complement as numpy's do; C++ leaves signed
// overflow undefined, so integers compute in the unsigned type of their width.
template <typename T, typename F>
T wrapping(T x, T y, F f) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(f(static_cast<U>(x), static_cast<U>(y)));
  } else {
    return f(x, y);
  }
}

void register_binary(const char* name, std::function<Tensor(const Tensor&, const Tensor&)> fn) {
  register_op(std::make_unique<FunctionOp>(name, [fn](ExecContext& c) {
    Tensor acc = c.in(0);
    for (std::size_t i = 1; i < c.inputs.size(); ++i) acc = fn(acc, c.in(i));
    c.outputs[0] = std::move(acc);
  }));
}

template <typename Cmp>
Tensor compare(const Tensor& a, const Tensor& b, Cmp cmp) {
  Tensor fa = a.astype(ElemType::Double), fb = b.astype(ElemType::Double);
  Tensor r = ops::broadcast_binary<double>(
      fa, fb, [&](double x, double y) { return cmp(x, y) ? 1.0 : 0.0; });
  return r.astype(ElemType::Bool);
}

void register_unary(const char* name, std::function<float(float, const onnx::NodeProto&)> f) {
  register_op(std::make_unique<FunctionOp>(name, [f](ExecContext& c) {
    const Tensor& in = c.in(0);
    ElemType t = in.type();
    Tensor x = in.astype(ElemType::Float);
    for (float& v : x.span<float>()) v = f(v, c.node);
    c.outputs[0] = t == ElemType::Float ? std::move(x) : x.astype(t);
  }));
}

float sigmoid(float v) {
  return 1.0f / (1.0f + std::exp(-v));
}

}  // namespace

void register_elementwise_ops() {
  register_binary("Add", [](const Tensor& a, const Tensor& b) {
    return binary_numeric(
        a, b, [](auto x, auto y) { return wrapping(x, y, [](auto p, auto q) { return p + q; }); });
  });
  register_binary("Sub", [](const Tensor& a, const Tensor& b) {
    return binary_numeric(
        a, b, [](auto x, auto y) { return wrapping(x, y, [](auto p, auto q) { return p - q; }); });
  });
  register_binary("Mul", [](const Tensor& a, const Tensor& b) {
    return binary_numeric(
        a, b, [](auto x, auto y) { return wrapping(x, y, [](auto p, auto q) { return p * q; }); });
  });
  register_binary("Div", [](const Tensor& a, const Tensor& b) {
    return binary_numeric(a, b, [](auto x, auto y) {
      using T = decltype(x);
      if constexpr (std::is_integral_v<T>) {
        if (y == 0) fail("integer division by zero");
        // the one quotient that overflows; numpy wraps it to the minimum again
        if (x == std::numeric_limits<T>::min() && y == -1) return x;
      }
      return x / y;
    });
  });
  register_binary("Pow", [](const Tensor& a, const Tensor& b) {
    return binary_numeric(a, b, [](auto x, auto y) {
      using T = decltype(x);
      if constexpr (std::is_integral_v<T>)
        return static_cast<T>(float_to_int64(std::pow(static_cast<double>(x), y)));
      else
        return static_cast<T>(std::pow(x, y));
    });
  });
  register_binary("Max", [](const Tensor& a, const Tensor& b) {
    return binary_numeric(a, b, [](auto x, auto y) { return x < y ? y : x; });
  });
  register_binary("Min", [](const Tensor& a, const Tensor& b) {
    return binary_numeric(a, b, [](auto x, auto y) { return y < x ? y : x; });
  });
  register_binary("Equal", [](const Tensor& a, const Tensor& b) {
    return compare(a, b, [](double x, double y) { return x == y; });
  });
  register_binary("Less", [](const Tensor& a, const Tensor& b) {
    return compare(a, b, [](double x, double y) { return x < y; });
  });
  register_binary("Greater", [](const Tensor& a, const Tensor& b) {
    return compare(a, b, [](double x, double y) { return x > y; });
  });

  register_unary("Relu", [](float v, const auto&) { return v > 0 ? v : 0.0f; });
  register_unary("Sign",
                 [](float v, const auto&) { return v > 0 ? 1.0f : (v < 0 ? -1.0f : 0.0f); });
  register_unary("Neg", [](float v, const auto&) { return -v; });
  register_unary("Abs", [](float v, const auto&) { return std::fabs(v); });
  register_unary("Sqrt", [](float v, const auto&) { return std::sqrt(v); });
  register_unary("Exp", [](float v, const auto&) { return std::exp(v); });
  register_unary("Log", [](float v, const auto&) { return std::log(v); });
  register_unary("Floor", [](float v, const auto&) { return std::floor(v); });
  register_unary("Ceil", [](float v, const auto&) { return std::ceil(v); });
  register_unary("Round", [](float v, const auto&) { return std::nearbyint(v); });
  register_unary("Reciprocal", [](float v, const auto&) { return 1.0f / v; });
  register_unary("Sigmoid", [](float v, const auto&) { return sigmoid(v); });
  register_unary("Tanh", [](float v, const auto&) { return std::tanh(v); });
  register_unary("Erf", [](float v, const auto&) { return std::erf(v); });
  register_unary("LeakyRelu", [](float v, const onnx::NodeProto& n) {
    return v >= 0 ? v : v * attr_float(n, "alpha", 0.01f);
  });
  register_unary("HardSigmoid", [](float v, const onnx::NodeProto& n) {
    float y = attr_float(n, "alpha", 0.2f) * v + attr_float(n, "beta", 0.5f);
    return std::max(0.0f, std::min(1.0f, y));
  });

  register_op(
      std::make_unique<FunctionOp>("Identity", [](ExecContext& c) { c.outputs[0] = c.in(0); }));
  register_op(std::make_unique<FunctionOp>("Dropout", [](ExecContext& c) {
    c.outputs[0] = c.in(0);
    if (c.outputs.size() > 1) {
      Tensor mask(ElemType::Bool, c.in(0).shape());
      for (auto& b : mask.bytes()) b = 1;
      c.outputs[1] = mask;
    }
  }));
  register_op(std::make_unique<FunctionOp>("Cast", [](ExecContext& c) {
    int64_t to = attr_int(c.node, "to", 1);
    if (!is_supported_elem_type(static_cast<int32_t>(to)))
      fail("Cast to element type {} is not supported", to);
    c.outputs[0] = c.in(0).astype(static_cast<ElemType>(to));
  }));
  register_op(std::make_unique<FunctionOp>("Clip", [](ExecContext& c) {
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    if (c.model.opset_version() < 11) {
      lo = attr_float(c.node, "min", -std::numeric_limits<float>::max());
      hi = attr_float(c.node, "max", std::numeric_limits<float>::max());
    } else {
      for (std::size_t i : {1, 2})
        if (c.has_input(i) && c.in(i).size() != 1)
          fail("Clip's {} has {} values, not one", i == 1 ? "min" : "max", c.in(i).size());
      if (c.has_input(1)) lo = c.in(1).get(0);
      if (c.has_input(2)) hi = c.in(2).get(0);
    }
    Tensor out = c.in(0);
    for (int64_t i = 0; i < out.size(); ++i) out.set(i, std::min(hi, std::max(lo, out.get(i))));
    c.outputs[0] = std::move(out);
  }));
}

}  // namespace shoal

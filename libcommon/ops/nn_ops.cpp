// Standard ops with per-channel or per-axis structure: BatchNormalization, Softmax, TopK,
// ArgMax, ReduceSum/ReduceMean/ReduceMax, GlobalAveragePool.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"

namespace shoal {
namespace {

void batchnorm(ExecContext& c) {
  Tensor x = c.in(0).astype(ElemType::Float);
  auto scale = c.in(1).floats(), bias = c.in(2).floats(), mean = c.in(3).floats(),
       var = c.in(4).floats();
  float eps = attr_float(c.node, "epsilon", 1e-5f);
  if (x.rank() < 2) fail("BatchNormalization needs an input of rank 2 or more");
  int64_t C = x.shape()[1];
  if (static_cast<int64_t>(scale.size()) != C || static_cast<int64_t>(bias.size()) != C ||
      static_cast<int64_t>(mean.size()) != C || static_cast<int64_t>(var.size()) != C)
    fail("BatchNormalization parameters do not have {} channels", C);
  auto v = ops::axis_view(x.shape(), 1);
  auto p = x.span<float>();
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t ch = 0; ch < C; ++ch) {
      float denom = std::sqrt(var[ch] + eps);
      float* row = p.data() + (o * C + ch) * v.inner;
      for (int64_t i = 0; i < v.inner; ++i)
        row[i] = (row[i] - mean[ch]) / denom * scale[ch] + bias[ch];
    }
  c.outputs[0] = std::move(x);
}

void softmax(ExecContext& c) {
  Tensor x = c.in(0).astype(ElemType::Float);
  int64_t r = static_cast<int64_t>(x.rank());
  auto p = x.span<float>();
  auto normalize = [&](int64_t outer, int64_t dim, int64_t inner) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in = 0; in < inner; ++in) {
        float* base = p.data() + o * dim * inner + in;
        double mx = -INFINITY;
        for (int64_t d = 0; d < dim; ++d) mx = std::max(mx, static_cast<double>(base[d * inner]));
        double sum = 0;
        for (int64_t d = 0; d < dim; ++d) sum += std::exp(base[d * inner] - mx);
        for (int64_t d = 0; d < dim; ++d)
          base[d * inner] = static_cast<float>(std::exp(base[d * inner] - mx) / sum);
      }
  };
  if (c.model.opset_version() < 13) {
    int64_t axis = attr_int(c.node, "axis", 1);
    if (axis < 0) axis += r;
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= x.shape()[i];
    normalize(outer, outer ? x.size() / outer : 0, 1);
  } else {
    int64_t axis = ops::normalize_axis(attr_int(c.node, "axis", -1), r);
    auto v = ops::axis_view(x.shape(), axis);
    normalize(v.outer, v.dim, v.inner);
  }
  c.outputs[0] = std::move(x);
}

void topk(ExecContext& c) {
  const Tensor& x = c.in(0);
  int64_t r = static_cast<int64_t>(x.rank());
  if ((c.model.opset_version() >= 10 || c.has_input(1)) && c.in(1).size() != 1)
    fail("TopK k has {} values, not one", c.in(1).size());
  int64_t k = c.model.opset_version() < 10 && !c.has_input(1) ? attr_int(c.node, "k", 1)
                                                              : c.in(1).ints()[0];
  int64_t axis = ops::normalize_axis(attr_int(c.node, "axis", -1), r);
  bool largest = attr_int(c.node, "largest", 1) != 0;
  auto v = ops::axis_view(x.shape(), axis);
  if (k < 0 || k > v.dim) fail("TopK k={} is out of range for an axis of size {}", k, v.dim);
  Shape out_shape = x.shape();
  out_shape[axis] = k;
  Tensor values(x.type(), out_shape), indices(ElemType::Int64, out_shape);
  auto idx_out = indices.span<int64_t>();
  std::vector<int64_t> order(v.dim);
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t in = 0; in < v.inner; ++in) {
      auto at = [&](int64_t d) { return x.get((o * v.dim + d) * v.inner + in); };
      std::iota(order.begin(), order.end(), 0);
      // Equal values keep their index order, as ONNX Runtime does; NaN counts as the
      // largest value (numpy's order), which keeps the comparison a strict weak order.
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        double va = at(a), vb = at(b);
        return largest ? va > vb || (std::isnan(va) && !std::isnan(vb))
                       : va < vb || (!std::isnan(va) && std::isnan(vb));
      });
      for (int64_t j = 0; j < k; ++j) {
        int64_t dst = (o * k + j) * v.inner + in;
        values.set(dst, at(order[j]));
        idx_out[dst] = order[j];
      }
    }
  c.outputs[0] = std::move(values);
  if (c.outputs.size() > 1) c.outputs[1] = std::move(indices);
}

void argmax(ExecContext& c) {
  const Tensor& x = c.in(0);
  int64_t r = static_cast<int64_t>(x.rank());
  int64_t axis = ops::normalize_axis(attr_int(c.node, "axis", 0), r);
  bool keep = attr_int(c.node, "keepdims", 1) != 0;
  bool last = attr_int(c.node, "select_last_index", 0) != 0;
  bool is_min = c.node.op_type() == "ArgMin";
  auto v = ops::axis_view(x.shape(), axis);
  Shape out_shape = x.shape();
  if (keep)
    out_shape[axis] = 1;
  else
    out_shape.erase(out_shape.begin() + axis);
  Tensor out(ElemType::Int64, out_shape);
  auto po = out.span<int64_t>();
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t in = 0; in < v.inner; ++in) {
      int64_t best = 0;
      double bv = x.get(o * v.dim * v.inner + in);
      for (int64_t d = 1; d < v.dim; ++d) {
        double cur = x.get((o * v.dim + d) * v.inner + in);
        bool better = is_min ? (last ? cur <= bv : cur < bv) : (last ? cur >= bv : cur > bv);
        if (better) {
          best = d;
          bv = cur;
        }
      }
      po[o * v.inner + in] = best;
    }
  c.outputs[0] = std::move(out);
}

void reduce(ExecContext& c) {
  Tensor x = c.in(0).astype(ElemType::Float);
  int64_t r = static_cast<int64_t>(x.rank());
  std::vector<int64_t> axes = attr_ints(c.node, "axes");
  if (axes.empty() && c.has_input(1)) axes = c.in(1).ints();
  bool keep = attr_int(c.node, "keepdims", 1) != 0;
  std::vector<bool> red(r, axes.empty());
  for (auto a : axes) red[ops::normalize_axis(a, r)] = true;
  Shape out_keep = x.shape();
  for (int64_t d = 0; d < r; ++d)
    if (red[d]) out_keep[d] = 1;
  const std::string& op = c.node.op_type();
  bool is_max = op == "ReduceMax";
  Tensor out(ElemType::Float, out_keep);
  std::vector<double> acc(out.size(), is_max ? -INFINITY : 0.0);
  auto idx = ops::broadcast_index(out_keep, x.shape());
  auto px = x.span<float>();
  for (std::size_t i = 0; i < idx.size(); ++i)
    acc[idx[i]] = is_max ? std::max(acc[idx[i]], static_cast<double>(px[i])) : acc[idx[i]] + px[i];
  int64_t count = out.size() ? x.size() / out.size() : 0;
  auto po = out.span<float>();
  for (std::size_t i = 0; i < po.size(); ++i)
    po[i] = static_cast<float>(op == "ReduceMean" ? acc[i] / count : acc[i]);
  if (!keep) {
    Shape s;
    for (int64_t d = 0; d < r; ++d)
      if (!red[d]) s.push_back(x.shape()[d]);
    out = out.reshaped(s);
  }
  c.outputs[0] = std::move(out);
}

void global_average_pool(ExecContext& c) {
  Tensor x = c.in(0).astype(ElemType::Float);
  if (x.rank() < 3) fail("GlobalAveragePool needs an input of rank 3 or more");
  int64_t N = x.shape()[0], C = x.shape()[1], inner = x.size() / (N * C);
  Shape out_shape = {N, C};
  for (std::size_t i = 2; i < x.rank(); ++i) out_shape.push_back(1);
  Tensor out(ElemType::Float, out_shape);
  auto px = x.span<float>();
  auto po = out.span<float>();
  for (int64_t i = 0; i < N * C; ++i) {
    double s = 0;
    for (int64_t j = 0; j < inner; ++j) s += px[i * inner + j];
    po[i] = static_cast<float>(s / inner);
  }
  c.outputs[0] = std::move(out);
}

}  // namespace

void register_nn_ops() {
  register_op(std::make_unique<FunctionOp>("BatchNormalization", batchnorm));
  register_op(std::make_unique<FunctionOp>("Softmax", softmax));
  register_op(std::make_unique<FunctionOp>("TopK", topk));
  register_op(std::make_unique<FunctionOp>("ArgMax", argmax));
  register_op(std::make_unique<FunctionOp>("ArgMin", argmax));
  register_op(std::make_unique<FunctionOp>("ReduceSum", reduce));
  register_op(std::make_unique<FunctionOp>("ReduceMean", reduce));
  register_op(std::make_unique<FunctionOp>("ReduceMax", reduce));
  register_op(std::make_unique<FunctionOp>("GlobalAveragePool", global_average_pool));
}

}  // namespace shoal

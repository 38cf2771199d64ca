// Standard ops that move data without arithmetic: Reshape, Flatten, Transpose, Squeeze,
// Unsqueeze, Concat, Shape, Gather, Slice, Expand, Constant. They work on every element type.
#include <algorithm>
#include <cstring>

#include "op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/limits.hpp"
#include "shoal/core/op.hpp"
#include "shoal/ops/kernels.hpp"

namespace shoal {
namespace {

std::vector<int64_t> axes_of(const ExecContext& c, std::size_t input_index) {
  if (c.model.opset_version() >= 13 || c.has_input(input_index)) {
    if (c.has_input(input_index)) return c.in(input_index).ints();
    return {};
  }
  return attr_ints(c.node, "axes");
}

Tensor transpose(const Tensor& in, const std::vector<int64_t>& perm) {
  const Shape& s = in.shape();
  const std::size_t r = s.size();
  if (perm.size() != r) fail("Transpose perm has {} entries for a rank-{} tensor", perm.size(), r);
  std::vector<int64_t> axes(r);
  std::vector<bool> seen(r, false);
  for (std::size_t i = 0; i < r; ++i) {
    axes[i] = ops::normalize_axis(perm[i], static_cast<int64_t>(r));
    if (seen[axes[i]]) fail("Transpose perm {} names axis {} twice", format_shape(perm), perm[i]);
    seen[axes[i]] = true;
  }
  Shape out_shape(r);
  for (std::size_t i = 0; i < r; ++i) out_shape[i] = s[axes[i]];
  Tensor out(in.type(), out_shape);
  auto in_strides = ops::strides_of(s);
  std::vector<int64_t> src_stride(r);
  for (std::size_t i = 0; i < r; ++i) src_stride[i] = in_strides[axes[i]];
  const std::size_t es = elem_size(in.type());
  const unsigned char* src = in.bytes().data();
  unsigned char* dst = out.bytes().data();
  std::vector<int64_t> counter(r, 0);
  int64_t off = 0;
  for (int64_t k = 0; k < out.size(); ++k) {
    std::memcpy(dst + k * es, src + off * es, es);
    for (int d = static_cast<int>(r) - 1; d >= 0; --d) {
      ++counter[d];
      off += src_stride[d];
      if (counter[d] < out_shape[d]) break;
      off -= src_stride[d] * counter[d];
      counter[d] = 0;
    }
  }
  return out;
}

}  // namespace

Tensor transpose_tensor(const Tensor& in, const std::vector<int64_t>& perm) {
  return transpose(in, perm);
}

void register_shape_ops() {
  register_op(std::make_unique<FunctionOp>("Reshape", [](ExecContext& c) {
    const Tensor& in = c.in(0);
    std::vector<int64_t> target = c.in(1).ints();
    bool allowzero = attr_int(c.node, "allowzero", 0) != 0;
    int64_t known = 1, infer = -1;
    for (std::size_t i = 0; i < target.size(); ++i) {
      if (target[i] == 0 && !allowzero) {
        if (i >= in.shape().size()) fail("Reshape copies dimension {} the input does not have", i);
        target[i] = in.shape()[i];
      }
      if (target[i] == -1) {
        if (infer >= 0) fail("Reshape target has more than one -1");
        infer = static_cast<int64_t>(i);
      } else if (target[i] < 0) {
        fail("Reshape target {} has a negative dimension", format_shape(c.in(1).ints()));
      } else {
        known = checked_mul(known, target[i], "Reshape target");
      }
    }
    if (infer >= 0) {
      if (known == 0 || in.size() % known != 0)
        fail("cannot reshape {} to {}", format_shape(in.shape()), format_shape(c.in(1).ints()));
      target[infer] = in.size() / known;
    }
    c.outputs[0] = in.reshaped(target);
  }));
  register_op(std::make_unique<FunctionOp>("Flatten", [](ExecContext& c) {
    const Tensor& in = c.in(0);
    int64_t r = static_cast<int64_t>(in.rank());
    int64_t axis = attr_int(c.node, "axis", 1);
    if (axis < 0) axis += r;
    if (axis < 0 || axis > r) fail("Flatten axis {} out of range", axis);
    int64_t outer = element_count(Shape(in.shape().begin(), in.shape().begin() + axis));
    c.outputs[0] = in.reshaped({outer, outer == 0 ? 0 : in.size() / outer});
  }));
  register_op(std::make_unique<FunctionOp>("Transpose", [](ExecContext& c) {
    const Tensor& in = c.in(0);
    std::vector<int64_t> perm = attr_ints(c.node, "perm");
    if (perm.empty())
      for (int64_t i = static_cast<int64_t>(in.rank()) - 1; i >= 0; --i) perm.push_back(i);
    c.outputs[0] = transpose(in, perm);
  }));
  register_op(std::make_unique<FunctionOp>("Squeeze", [](ExecContext& c) {
    const Tensor& in = c.in(0);
    auto axes = axes_of(c, 1);
    int64_t r = static_cast<int64_t>(in.rank());
    std::vector<bool> drop(r, false);
    if (axes.empty()) {
      for (int64_t i = 0; i < r; ++i) drop[i] = in.shape()[i] == 1;
    } else {
      for (auto a : axes) {
        int64_t ax = ops::normalize_axis(a, r);
        if (in.shape()[ax] != 1) fail("Squeeze axis {} has size {}", a, in.shape()[ax]);
        drop[ax] = true;
      }
    }
    Shape out;
    for (int64_t i = 0; i < r; ++i)
      if (!drop[i]) out.push_back(in.shape()[i]);
    c.outputs[0] = in.reshaped(out);
  }));
  register_op(std::make_unique<FunctionOp>("Unsqueeze", [](ExecContext& c) {
    const Tensor& in = c.in(0);
    auto axes = axes_of(c, 1);
    int64_t out_rank = static_cast<int64_t>(in.rank() + axes.size());
    std::vector<bool> is_new(out_rank, false);
    for (auto a : axes) {
      int64_t ax = ops::normalize_axis(a, out_rank);
      if (is_new[ax]) fail("Unsqueeze axes {} name axis {} twice", format_shape(axes), a);
      is_new[ax] = true;
    }
    Shape out;
    std::size_t j = 0;
    for (int64_t i = 0; i < out_rank; ++i) out.push_back(is_new[i] ? 1 : in.shape()[j++]);
    c.outputs[0] = in.reshaped(out);
  }));
  register_op(std::make_unique<FunctionOp>("Concat", [](ExecContext& c) {
    const Tensor& first = c.in(0);
    int64_t r = static_cast<int64_t>(first.rank());
    int64_t axis = ops::normalize_axis(attr_int(c.node, "axis", 0), r);
    Shape out_shape = first.shape();
    out_shape[axis] = 0;
    std::vector<Tensor> parts;
    for (std::size_t i = 0; i < c.inputs.size(); ++i) {
      Tensor t = c.in(i).type() == first.type() ? c.in(i) : c.in(i).astype(first.type());
      if (static_cast<int64_t>(t.rank()) != r)
        fail("Concat inputs {} and {} differ in rank", format_shape(first.shape()),
             format_shape(t.shape()));
      for (int64_t d = 0; d < r; ++d)
        if (d != axis && t.shape()[d] != first.shape()[d])
          fail("Concat inputs {} and {} differ off axis {}", format_shape(first.shape()),
               format_shape(t.shape()), axis);
      out_shape[axis] += t.shape()[axis];
      parts.push_back(std::move(t));
    }
    Tensor out(first.type(), out_shape);
    auto v = ops::axis_view(out_shape, axis);
    const std::size_t es = elem_size(first.type());
    unsigned char* dst = out.bytes().data();
    for (int64_t o = 0; o < v.outer; ++o)
      for (const auto& p : parts) {
        std::size_t chunk = static_cast<std::size_t>(p.shape()[axis] * v.inner) * es;
        std::memcpy(dst, p.bytes().data() + o * chunk, chunk);
        dst += chunk;
      }
    c.outputs[0] = std::move(out);
  }));
  register_op(std::make_unique<FunctionOp>("Shape", [](ExecContext& c) {
    const Shape& s = c.in(0).shape();
    int64_t r = static_cast<int64_t>(s.size());
    int64_t start = attr_int(c.node, "start", 0), end = attr_int(c.node, "end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = std::clamp<int64_t>(start, 0, r);
    end = std::clamp<int64_t>(end, 0, r);
    std::vector<int64_t> dims(s.begin() + start, s.begin() + std::max(start, end));
    c.outputs[0] = Tensor::from<int64_t>({static_cast<int64_t>(dims.size())}, dims);
  }));
  register_op(std::make_unique<FunctionOp>("Gather", [](ExecContext& c) {
    const Tensor& data = c.in(0);
    const Tensor& indices = c.in(1);
    int64_t r = static_cast<int64_t>(data.rank());
    int64_t axis = ops::normalize_axis(attr_int(c.node, "axis", 0), r);
    auto v = ops::axis_view(data.shape(), axis);
    Shape out_shape(data.shape().begin(), data.shape().begin() + axis);
    out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
    out_shape.insert(out_shape.end(), data.shape().begin() + axis + 1, data.shape().end());
    Tensor out(data.type(), out_shape);
    auto idx = indices.ints();
    const std::size_t es = elem_size(data.type());
    const std::size_t chunk = static_cast<std::size_t>(v.inner) * es;
    unsigned char* dst = out.bytes().data();
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t k : idx) {
        if (k < 0) k += v.dim;
        if (k < 0 || k >= v.dim) fail("Gather index {} out of range for dimension {}", k, v.dim);
        std::memcpy(dst, data.bytes().data() + (o * v.dim + k) * chunk, chunk);
        dst += chunk;
      }
    c.outputs[0] = std::move(out);
  }));
  register_op(std::make_unique<FunctionOp>("Slice", [](ExecContext& c) {
    const Tensor& in = c.in(0);
    int64_t r = static_cast<int64_t>(in.rank());
    std::vector<int64_t> starts, ends, axes, steps;
    if (c.model.opset_version() < 10 && !c.has_input(1)) {
      starts = attr_ints(c.node, "starts");
      ends = attr_ints(c.node, "ends");
      axes = attr_ints(c.node, "axes");
    } else {
      starts = c.in(1).ints();
      ends = c.in(2).ints();
      if (c.has_input(3)) axes = c.in(3).ints();
      if (c.has_input(4)) steps = c.in(4).ints();
    }
    if (axes.empty())
      for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (starts.size() != axes.size() || ends.size() != axes.size() || steps.size() != axes.size())
      fail("Slice has {} starts, {} ends, {} axes and {} steps", starts.size(), ends.size(),
           axes.size(), steps.size());
    std::vector<int64_t> b(r, 0), st(r, 1), len(r);
    for (int64_t d = 0; d < r; ++d) len[d] = in.shape()[d];
    for (std::size_t i = 0; i < axes.size(); ++i) {
      int64_t ax = ops::normalize_axis(axes[i], r), dim = in.shape()[ax];
      int64_t s = starts[i], e = ends[i], step = steps[i];
      if (step == 0) fail("Slice step 0");
      if (s < 0) s += dim;
      if (e < 0) e += dim;
      // Steps beyond the dimension take one element; clamping them first keeps the
      // arithmetic below within int64.
      step = std::clamp<int64_t>(step, -dim - 1, dim + 1);
      if (step > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        len[ax] = e > s ? (e - s + step - 1) / step : 0;
      } else {
        s = std::clamp<int64_t>(s, -1, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        len[ax] = s > e ? (s - e - step - 1) / (-step) : 0;
      }
      b[ax] = s;
      st[ax] = step;
    }
    Tensor out(in.type(), Shape(len.begin(), len.end()));
    auto in_strides = ops::strides_of(in.shape());
    const std::size_t es = elem_size(in.type());
    std::vector<int64_t> counter(r, 0);
    for (int64_t k = 0; k < out.size(); ++k) {
      int64_t off = 0;
      for (int64_t d = 0; d < r; ++d) off += (b[d] + counter[d] * st[d]) * in_strides[d];
      std::memcpy(out.bytes().data() + k * es, in.bytes().data() + off * es, es);
      for (int d = static_cast<int>(r) - 1; d >= 0; --d) {
        if (++counter[d] < len[d]) break;
        counter[d] = 0;
      }
    }
    c.outputs[0] = std::move(out);
  }));
  register_op(std::make_unique<FunctionOp>("Expand", [](ExecContext& c) {
    const Tensor& in = c.in(0);
    Shape target = c.in(1).ints();
    Shape out_shape = ops::broadcast_shapes(in.shape(), target);
    Tensor out(in.type(), out_shape);
    auto idx = ops::broadcast_index(in.shape(), out_shape);
    const std::size_t es = elem_size(in.type());
    for (std::size_t k = 0; k < idx.size(); ++k)
      std::memcpy(out.bytes().data() + k * es, in.bytes().data() + idx[k] * es, es);
    c.outputs[0] = std::move(out);
  }));
  register_op(std::make_unique<FunctionOp>("Constant", [](ExecContext& c) {
    if (auto t = attr_tensor(c.node, "value")) {
      c.outputs[0] = *t;
    } else if (has_attr(c.node, "value_float")) {
      c.outputs[0] = Tensor::scalar(attr_float(c.node, "value_float", 0));
    } else if (has_attr(c.node, "value_floats")) {
      auto v = attr_floats(c.node, "value_floats");
      c.outputs[0] = Tensor::from<float>({static_cast<int64_t>(v.size())}, v);
    } else if (has_attr(c.node, "value_int")) {
      c.outputs[0] = Tensor::from<int64_t>({}, {attr_int(c.node, "value_int", 0)});
    } else if (has_attr(c.node, "value_ints")) {
      auto v = attr_ints(c.node, "value_ints");
      c.outputs[0] = Tensor::from<int64_t>({static_cast<int64_t>(v.size())}, v);
    } else {
      fail("Constant has no supported value attribute");
    }
  }));
}

}  // namespace shoal

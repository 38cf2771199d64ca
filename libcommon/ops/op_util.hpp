// Helpers shared by the op implementations (not part of the public API).
#pragma once

#include <cstdint>
#include <vector>

#include "shoal/core/error.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal::ops {

std::vector<int64_t> strides_of(const Shape& shape);
// The shape arithmetic the shape rules share lives in core (tensor.hpp).
using shoal::broadcast_shapes;
using shoal::normalize_axis;
// For every element of `out`, the flat index of the element of `in` it reads when `in` is
// broadcast to `out`.
std::vector<int64_t> broadcast_index(const Shape& in, const Shape& out);

// Elementwise binary op with broadcasting on tensors of the same element type T.
template <typename T, typename F>
Tensor broadcast_binary(const Tensor& a, const Tensor& b, F f) {
  Shape out_shape = broadcast_shapes(a.shape(), b.shape());
  Tensor out(elem_type_of<T>(), out_shape);
  auto pa = a.span<T>();
  auto pb = b.span<T>();
  auto po = out.span<T>();
  if (a.shape() == out_shape && b.shape() == out_shape) {
    for (std::size_t i = 0; i < po.size(); ++i) po[i] = f(pa[i], pb[i]);
  } else if (a.shape() == out_shape && b.size() == 1) {
    for (std::size_t i = 0; i < po.size(); ++i) po[i] = f(pa[i], pb[0]);
  } else {
    auto ia = broadcast_index(a.shape(), out_shape);
    auto ib = broadcast_index(b.shape(), out_shape);
    for (std::size_t i = 0; i < po.size(); ++i) po[i] = f(pa[ia[i]], pb[ib[i]]);
  }
  return out;
}

// Moves `axis` of a C-order tensor view (outer, axis, inner) so callers can loop over it.
struct AxisView {
  int64_t outer, dim, inner;
};
AxisView axis_view(const Shape& shape, int64_t axis);

// Integers from an optional int tensor input (axes, shapes, k).
std::vector<int64_t> int_values(const Tensor& t);

}  // namespace shoal::ops

#include <optional>
namespace shoal::ops {
// True when `t` exists and every element equals v (a constant quantizer parameter check).
bool all_values_equal(const std::optional<Tensor>& t, double v);
}  // namespace shoal::ops

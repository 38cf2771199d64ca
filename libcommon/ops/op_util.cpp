#include "op_util.hpp"

namespace shoal::ops {

std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

std::vector<int64_t> broadcast_index(const Shape& in, const Shape& out) {
  const std::size_t r = out.size();
  std::vector<int64_t> in_strides(r, 0);
  auto s = strides_of(in);
  for (std::size_t i = 0; i < in.size(); ++i) {
    std::size_t oi = i + (r - in.size());
    in_strides[oi] = in[i] == 1 ? 0 : s[i];
  }
  int64_t total = element_count(out);
  std::vector<int64_t> idx(total);
  std::vector<int64_t> counter(r, 0);
  int64_t cur = 0;
  for (int64_t k = 0; k < total; ++k) {
    idx[k] = cur;
    for (int d = static_cast<int>(r) - 1; d >= 0; --d) {
      ++counter[d];
      cur += in_strides[d];
      if (counter[d] < out[d]) break;
      cur -= in_strides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}

AxisView axis_view(const Shape& shape, int64_t axis) {
  AxisView v{1, shape[axis], 1};
  for (int64_t i = 0; i < axis; ++i) v.outer *= shape[i];
  for (std::size_t i = axis + 1; i < shape.size(); ++i) v.inner *= shape[i];
  return v;
}

std::vector<int64_t> int_values(const Tensor& t) {
  return t.ints();
}

}  // namespace shoal::ops

namespace shoal::ops {
bool all_values_equal(const std::optional<Tensor>& t, double v) {
  if (!t) return false;
  for (int64_t i = 0; i < t->size(); ++i)
    if (t->get(i) != v) return false;
  return true;
}
}  // namespace shoal::ops

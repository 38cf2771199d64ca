#include "shoal/core/window.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/limits.hpp"

namespace shoal {

Window window_of(const onnx::NodeProto& n, const Shape& x, const std::vector<int64_t>& kernel) {
  if (x.size() < 3)
    fail("{}: the input {} has no spatial dimensions", describe(n), format_shape(x));
  std::size_t s = x.size() - 2;
  Window w;
  w.in.assign(x.begin() + 2, x.end());
  w.kernel = kernel;
  w.stride = attr_ints(n, "strides", std::vector<int64_t>(s, 1));
  w.dilation = attr_ints(n, "dilations", std::vector<int64_t>(s, 1));
  auto pads = attr_ints(n, "pads", std::vector<int64_t>(2 * s, 0));
  if (kernel.size() != s || w.stride.size() != s || w.dilation.size() != s || pads.size() != 2 * s)
    fail("kernel, strides, dilations or pads do not match {} spatial dimensions", s);
  std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  bool ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
  const std::string what = describe(n);
  for (std::size_t d = 0; d < s; ++d) {
    if (kernel[d] < 1 || w.stride[d] < 1 || w.dilation[d] < 1 || pads[d] < 0 || pads[d + s] < 0)
      fail("{}: kernel {}, strides {} and dilations {} must be positive and pads {} not negative",
           what, format_shape(kernel), format_shape(w.stride), format_shape(w.dilation),
           format_shape(pads));
    int64_t stride = w.stride[d];
    // Checked: the attributes come from the model file, as large as it likes.
    int64_t eff = checked_add(checked_mul(w.dilation[d], kernel[d] - 1, what), 1, what);
    int64_t pb = pads[d], pe = pads[d + s];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      int64_t o = w.in[d] / stride + (w.in[d] % stride != 0);
      int64_t total =
          std::max<int64_t>(0, checked_add(checked_mul(o - 1, stride, what), eff - w.in[d], what));
      pb = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe = total - pb;
    } else if (auto_pad == "VALID") {
      pb = pe = 0;
    }
    w.pad_begin.push_back(pb);
    w.pad_end.push_back(pe);
    int64_t span = checked_add(checked_add(w.in[d], pb, what), pe, what) - eff;
    if (span < 0)
      fail("{}: a window of {} does not fit the padded input of {}", what, eff, span + eff);
    w.out.push_back(span / stride + (ceil_mode && span % stride != 0) + 1);
  }
  return w;
}

}  // namespace shoal

#include "shoal/core/window.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"

namespace shoal {

Window window_of(const onnx::NodeProto& n, const Shape& x, const std::vector<int64_t>& kernel) {
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
  for (std::size_t d = 0; d < s; ++d) {
    int64_t eff = w.dilation[d] * (kernel[d] - 1) + 1;
    int64_t pb = pads[d], pe = pads[d + s];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      int64_t o = (w.in[d] + w.stride[d] - 1) / w.stride[d];
      int64_t total = std::max<int64_t>(0, (o - 1) * w.stride[d] + eff - w.in[d]);
      pb = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe = total - pb;
    } else if (auto_pad == "VALID") {
      pb = pe = 0;
    }
    w.pad_begin.push_back(pb);
    w.pad_end.push_back(pe);
    double span = static_cast<double>(w.in[d] + pb + pe - eff) / w.stride[d];
    w.out.push_back(static_cast<int64_t>(ceil_mode ? std::ceil(span) : std::floor(span)) + 1);
  }
  return w;
}

}  // namespace shoal

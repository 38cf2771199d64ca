// Im2Col (dialect.md §2): the sliding windows of an NHWC image laid out as rows, so that a
// convolution becomes a MatMul. Output [N, OH, OW, kh*kw*C], inner order (ky, kx, c), the
// row order LowerConvsToMatMul gives the weights.
#include <algorithm>
#include <cctype>

#include "op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/limits.hpp"
#include "shoal/core/op.hpp"

namespace shoal {

namespace {

// FINN's compute_conv_output_dim: a spatial dimension of size 1 is a dummy and stays 1.
int64_t conv_output_dim(int64_t in, int64_t k, int64_t stride, int64_t total_pad, int64_t dilation,
                        const std::string& what) {
  if (in == 1) return 1;
  // Checked: kernel, dilation and pads are the model's, as large as it likes.
  int64_t extent = checked_add(checked_mul(dilation, k - 1, what), 1, what);
  int64_t span = checked_add(in, total_pad, what) - extent;
  return span < 0 ? 0 : span / stride + 1;
}

// "(1,28,28,3)" -> {1, 28, 28, 3}
Shape parse_shape_string(const onnx::NodeProto& n, const std::string& s) {
  Shape out;
  std::string digits;
  auto flush = [&] {
    if (digits.empty()) return;
    if (digits.size() > 18)
      fail("{}: input_shape '{}' holds a dimension too large", describe(n), s);
    out.push_back(std::stoll(digits));
    digits.clear();
  };
  for (char ch : s) {
    if (std::isdigit(static_cast<unsigned char>(ch)))
      digits += ch;
    else if (ch == ',' || ch == ')' || ch == '(' || ch == '[' || ch == ']' || ch == ' ')
      flush();
    else
      fail("{}: input_shape '{}' is not a tuple of integers", describe(n), s);
  }
  flush();
  return out;
}

struct Geometry {
  int64_t n, h, w, c, kh, kw, sh, sw, dh, dw, oh, ow;
  std::vector<int64_t> pad;  // top, left, bottom, right
  int64_t pad_value;
};

Geometry geometry(const onnx::NodeProto& node, const Shape& x) {
  NodeAttrs a(node);
  auto k = a.ints("kernel_size"), s = a.ints("stride"), d = a.ints("dilations"),
       p = a.ints("pad_amount");
  if (k.size() != 2 || s.size() != 2 || d.size() != 2 || p.size() != 4)
    fail("{}: kernel_size, stride and dilations need 2 values and pad_amount 4", describe(node));
  if (x.size() != 4) fail("{}: needs an NHWC input, got shape {}", describe(node), format_shape(x));
  Geometry g{x[0], x[1], x[2], x[3], k[0], k[1], s[0], s[1], d[0], d[1], 0, 0, p, a.i("pad_value")};
  for (auto v : {g.kh, g.kw, g.sh, g.sw, g.dh, g.dw})
    if (v < 1) fail("{}: kernel, stride and dilation must be positive", describe(node));
  for (auto v : p)
    if (v < 0) fail("{}: pad_amount must not be negative", describe(node));
  // As FINN: a dummy spatial dimension (size 1) takes neither a kernel nor padding.
  if (g.h == 1 && (g.kh != 1 || p[0] != 0 || p[2] != 0))
    fail("{}: an image of height 1 needs kernel height 1 and no vertical padding", describe(node));
  if (g.w == 1 && (g.kw != 1 || p[1] != 0 || p[3] != 0))
    fail("{}: an image of width 1 needs kernel width 1 and no horizontal padding", describe(node));
  const std::string what = describe(node);
  g.oh = conv_output_dim(g.h, g.kh, g.sh, checked_add(p[0], p[2], what), g.dh, what);
  g.ow = conv_output_dim(g.w, g.kw, g.sw, checked_add(p[1], p[3], what), g.dw, what);
  if (g.oh < 1 || g.ow < 1)
    fail("{}: the kernel does not fit the (padded) {}x{} image", describe(node), g.h, g.w);
  return g;
}

// The narrowest UINTn (or BINARY) / INTn holding [lo, hi].
DataType integer_type_for(double lo, double hi) {
  for (int bits = 1; bits <= 64; ++bits) {
    DataType t = lo >= 0 ? DataType::uint(bits) : DataType::sint(bits);
    if (t.allowed(lo) && t.allowed(hi)) return t;
  }
  return DataType::float32();
}

class Im2ColOp : public OpDef {
 public:
  std::string_view op_type() const override { return "Im2Col"; }
  Domain domain() const override { return Domain::General; }
  std::vector<AttrSpec> attr_specs() const override {
    return {ints_attr("stride", {}, true),
            ints_attr("kernel_size", {}, true),
            string_attr("input_shape", "", true),
            ints_attr("pad_amount", {0, 0, 0, 0}),
            int_attr("pad_value", 0),
            int_attr("depthwise", 0, false, {0, 1}),
            ints_attr("dilations", {1, 1})};
  }

  void execute(ExecContext& c) const override {
    Tensor x = c.in(0).astype(ElemType::Float);
    Geometry g = geometry(c.node, x.shape());
    int64_t row = g.kh * g.kw * g.c;
    Tensor y(ElemType::Float, {g.n, g.oh, g.ow, row});
    auto px = x.span<float>();
    auto py = y.span<float>();
    float pad = static_cast<float>(g.pad_value);
    int64_t o = 0;
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox)
          for (int64_t ky = 0; ky < g.kh; ++ky)
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              int64_t iy = oy * g.sh + ky * g.dh - g.pad[0];
              int64_t ix = ox * g.sw + kx * g.dw - g.pad[1];
              bool inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
              const float* src = px.data() + ((b * g.h + iy) * g.w + ix) * g.c;
              for (int64_t ch = 0; ch < g.c; ++ch) py[o++] = inside ? src[ch] : pad;
            }
    c.outputs[0] = std::move(y);
  }

  // From the input's shape when known, else from the input_shape attribute (FINN uses the
  // attribute only; the two agree on every graph LowerConvsToMatMul writes).
  std::vector<Shape> infer_shapes(const onnx::NodeProto& n,
                                  const std::vector<std::optional<Shape>>& in) const override {
    Shape x = !in.empty() && in[0] ? *in[0] : parse_shape_string(n, NodeAttrs(n).s("input_shape"));
    Geometry g = geometry(n, x);
    return {{g.n, g.oh, g.ow, g.kh * g.kw * g.c}};
  }

  // The input's datatype, as FINN. FINN asserts at execution that a padded input's type
  // allows the pad value; shoal instead widens the output type to the smallest integer type
  // that holds both (a padded BIPOLAR input gives INT2), so that the annotation stays true
  // and a padded bipolar convolution is never turned into an XNOR layer.
  void infer_datatypes(Model& m, int idx) const override {
    const auto& n = m.node(idx);
    DataType dt = m.datatype(n.input(0));
    NodeAttrs a(n);
    auto p = a.ints("pad_amount");
    bool is_padded = std::any_of(p.begin(), p.end(), [](int64_t v) { return v != 0; });
    auto pv = static_cast<double>(a.i("pad_value"));
    if (is_padded && dt.is_integer() && !dt.allowed(pv))
      dt = integer_type_for(std::min(dt.min(), pv), std::max(dt.max(), pv));
    m.set_datatype(n.output(0), dt);
  }
};

}  // namespace

void register_im2col_op() {
  register_op(std::make_unique<Im2ColOp>());
}

}  // namespace shoal

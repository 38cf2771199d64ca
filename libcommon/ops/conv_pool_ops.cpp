// Standard convolution and pooling ops (NCHW, 1-D and 2-D): Conv, MaxPool, AveragePool.
// The streamlining rewrites around convolutions execute them (MoveAddPastConv).
#include <algorithm>
#include <cmath>
#include <limits>

#include "op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/window.hpp"

namespace shoal {
namespace {

// Visits every output position (flattened spatial index) and every kernel tap that lands
// inside the input, giving the flat kernel and input spatial indices. Taps on padding
// contribute nothing to any of the ops and are skipped. Which taps of a dimension land
// inside depends only on that dimension's output coordinate, so it is worked out when that
// coordinate changes (the coordinates advance as an odometer), and a coordinate with no tap
// inside skips the whole block of outputs under it: the work is the taps inside the input
// plus the rows of padding, whatever kernel and pads a model asks for.
template <typename F>
void for_each_tap(const Window& w, F f) {
  struct Taps {
    int64_t first, lo, hi;  // input position of tap 0; the first and last tap inside
  };
  auto taps_at = [&w](std::size_t d, int64_t o) {
    // tap t of this dimension reads input position first + t * dilation
    const int64_t first = o * w.stride[d] - w.pad_begin[d], dil = w.dilation[d];
    return Taps{
        first, first >= 0 ? 0 : (-first + dil - 1) / dil,
        w.in[d] - 1 - first < 0 ? -1 : std::min(w.kernel[d] - 1, (w.in[d] - 1 - first) / dil)};
  };
  const std::size_t s = w.in.size();
  const int64_t out_count = element_count(w.out);
  if (out_count == 0) return;
  std::vector<int64_t> o(s, 0), k(s), block(s + 1, 1);  // block[d]: outputs per step of dim d-1
  for (std::size_t d = s; d-- > 0;) block[d] = block[d + 1] * w.out[d];
  std::vector<Taps> t(s);
  for (std::size_t d = 0; d < s; ++d) t[d] = taps_at(d, 0);
  // Steps dimension `from` (the inner ones are at 0), carrying outwards; false at the end.
  auto advance = [&](int from) {
    for (int d = from; d >= 0; --d) {
      const bool carry = ++o[d] == w.out[d];
      if (carry) o[d] = 0;
      t[d] = taps_at(static_cast<std::size_t>(d), o[d]);
      if (!carry) return true;
    }
    return false;
  };
  for (int64_t oi = 0;;) {
    std::size_t empty = 0;
    while (empty < s && t[empty].lo <= t[empty].hi) ++empty;
    if (empty < s) {  // every output below this coordinate reads padding only
      oi += block[empty + 1];
      if (!advance(static_cast<int>(empty))) return;
      continue;
    }
    for (std::size_t d = 0; d < s; ++d) k[d] = t[d].lo;
    for (;;) {
      int64_t flat = 0, ki = 0;
      for (std::size_t d = 0; d < s; ++d) {
        flat = flat * w.in[d] + t[d].first + k[d] * w.dilation[d];
        ki = ki * w.kernel[d] + k[d];
      }
      f(oi, ki, flat);
      int d = static_cast<int>(s) - 1;
      for (; d >= 0; --d) {
        if (++k[d] <= t[d].hi) break;
        k[d] = t[d].lo;
      }
      if (d < 0) break;
    }
    ++oi;
    if (!advance(static_cast<int>(s) - 1)) return;
  }
}

void conv(ExecContext& c) {
  Tensor x = c.in(0).astype(ElemType::Float), W = c.in(1).astype(ElemType::Float);
  if (x.rank() < 3 || W.rank() != x.rank())
    fail("Conv needs NC... inputs and weights of the same rank");
  int64_t N = x.shape()[0], C = x.shape()[1], M = W.shape()[0],
          group = attr_int(c.node, "group", 1);
  int64_t cpg = W.shape()[1];
  if (group < 1 || group > C || C != cpg * group || M % group != 0)
    fail("Conv input has {} channels and {} output channels, weights expect {} x group {}", C, M,
         cpg, group);
  std::vector<int64_t> kernel(W.shape().begin() + 2, W.shape().end());
  Window w = window_of(c.node, x.shape(), kernel);
  int64_t in_sp = element_count(w.in), out_sp = element_count(w.out), k_sp = element_count(kernel);
  Shape out_shape = {N, M};
  out_shape.insert(out_shape.end(), w.out.begin(), w.out.end());
  Tensor y(ElemType::Float, out_shape);
  std::vector<double> acc(static_cast<std::size_t>(out_sp));
  auto px = x.span<float>();
  auto pw = W.span<float>();
  auto py = y.span<float>();
  std::vector<float> bias(M, 0.0f);
  if (c.has_input(2)) bias = c.in(2).floats();
  if (bias.size() != static_cast<std::size_t>(M))
    fail("Conv bias has {} values for {} output channels", bias.size(), M);
  int64_t mpg = M / group;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) {
      std::fill(acc.begin(), acc.end(), 0.0);
      int64_t g = m / mpg;
      for (int64_t ci = 0; ci < cpg; ++ci) {
        const float* xin = px.data() + (n * C + g * cpg + ci) * in_sp;
        const float* wk = pw.data() + (m * cpg + ci) * k_sp;
        for_each_tap(w, [&](int64_t oi, int64_t ki, int64_t flat) {
          acc[oi] += static_cast<double>(xin[flat]) * wk[ki];
        });
      }
      for (int64_t oi = 0; oi < out_sp; ++oi)
        py[(n * M + m) * out_sp + oi] = static_cast<float>(acc[oi]) + bias[m];
    }
  c.outputs[0] = std::move(y);
}

void pool(ExecContext& c) {
  Tensor x = c.in(0).astype(ElemType::Float);
  if (x.rank() < 3) fail("pooling needs an NC... input");
  bool is_max = c.node.op_type() == "MaxPool";
  bool count_pad = attr_int(c.node, "count_include_pad", 0) != 0;
  Window w = window_of(c.node, x.shape(), attr_ints(c.node, "kernel_shape"));
  int64_t N = x.shape()[0], C = x.shape()[1], in_sp = element_count(w.in),
          out_sp = element_count(w.out);
  int64_t k_sp = element_count(w.kernel);
  Shape out_shape = {N, C};
  out_shape.insert(out_shape.end(), w.out.begin(), w.out.end());
  Tensor y(ElemType::Float, out_shape);
  std::vector<double> acc(out_sp);
  std::vector<int64_t> count(out_sp);
  auto px = x.span<float>();
  auto py = y.span<float>();
  for (int64_t nc = 0; nc < N * C; ++nc) {
    std::fill(acc.begin(), acc.end(), is_max ? -std::numeric_limits<double>::infinity() : 0.0);
    std::fill(count.begin(), count.end(), 0);
    const float* xin = px.data() + nc * in_sp;
    for_each_tap(w, [&](int64_t oi, int64_t, int64_t flat) {
      if (is_max)
        acc[oi] = std::max(acc[oi], static_cast<double>(xin[flat]));
      else
        acc[oi] += xin[flat];
      ++count[oi];
    });
    for (int64_t oi = 0; oi < out_sp; ++oi)
      py[nc * out_sp + oi] =
          static_cast<float>(is_max ? acc[oi] : acc[oi] / (count_pad ? k_sp : count[oi]));
  }
  c.outputs[0] = std::move(y);
}

}  // namespace

void register_conv_pool_ops() {
  register_op(std::make_unique<FunctionOp>("Conv", conv));
  register_op(std::make_unique<FunctionOp>("MaxPool", pool));
  register_op(std::make_unique<FunctionOp>("AveragePool", pool));
}

}  // namespace shoal

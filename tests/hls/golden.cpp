// Golden models, see golden.h.
#include "golden.h"

#include <algorithm>
#include <numeric>

namespace golden {

std::vector<tb::Bits> memstream(const std::vector<tb::Bits>& mem, size_t n) {
  std::vector<tb::Bits> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(mem[i % mem.size()]);
  return out;
}

std::vector<tb::Bits> dwc(const std::vector<tb::Bits>& in, int out_width) {
  std::vector<tb::Bits> out;
  tb::Bits cur(out_width);
  int fill = 0;
  for (const tb::Bits& beat : in) {
    for (int b = 0; b < beat.width; ++b) {
      cur.set(fill++, 1, beat.bit(b) ? 1 : 0);
      if (fill == out_width) {
        out.push_back(cur);
        cur = tb::Bits(out_width);
        fill = 0;
      }
    }
  }
  return out;
}

int64_t multithreshold(int64_t x, const std::vector<int64_t>& thr, int64_t act_val) {
  int64_t count = 0;
  for (int64_t t : thr) count += (x >= t) ? 1 : 0;
  return act_val + count;
}

std::vector<std::vector<int64_t>> mvau(const MvauSpec& spec,
                                       const std::vector<std::vector<int64_t>>& x,
                                       const std::vector<std::vector<int64_t>>& w,
                                       const std::vector<std::vector<int64_t>>& thr) {
  std::vector<std::vector<int64_t>> y(x.size(), std::vector<int64_t>(spec.mh, 0));
  for (size_t v = 0; v < x.size(); ++v) {
    for (int n = 0; n < spec.mh; ++n) {
      int64_t acc = 0;
      for (int k = 0; k < spec.mw; ++k) {
        if (spec.xnor)
          acc += (x[v][k] == w[k][n]) ? 1 : 0;
        else
          acc += x[v][k] * w[k][n];
      }
      acc = tb::sext(tb::wrapu(acc, spec.acc_bits), spec.acc_bits);
      y[v][n] = spec.num_steps == 0 ? acc : multithreshold(acc, thr[n], spec.act_val);
    }
  }
  return y;
}

std::vector<std::vector<int64_t>> thresholding(const std::vector<std::vector<int64_t>>& x,
                                               const std::vector<std::vector<int64_t>>& thr,
                                               int64_t act_val) {
  std::vector<std::vector<int64_t>> y(x.size());
  for (size_t p = 0; p < x.size(); ++p) {
    y[p].resize(x[p].size());
    for (size_t c = 0; c < x[p].size(); ++c) y[p][c] = multithreshold(x[p][c], thr[c], act_val);
  }
  return y;
}

std::vector<std::vector<int64_t>> label_select(const std::vector<std::vector<int64_t>>& x, int k) {
  std::vector<std::vector<int64_t>> out;
  for (const auto& frame : x) {
    std::vector<int64_t> idx(frame.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(),
                     [&](int64_t a, int64_t b) { return frame[a] > frame[b]; });
    idx.resize(static_cast<size_t>(k));
    out.push_back(idx);
  }
  return out;
}

std::vector<int64_t> fmpadding(const std::vector<int64_t>& x, int h, int w, int c,
                               const int pads[4]) {
  const int oh = pads[0] + h + pads[2], ow = pads[1] + w + pads[3];
  std::vector<int64_t> y(static_cast<size_t>(oh) * ow * c, 0);
  for (int i = 0; i < h; ++i)
    for (int j = 0; j < w; ++j)
      for (int ch = 0; ch < c; ++ch)
        y[(static_cast<size_t>(i + pads[0]) * ow + (j + pads[1])) * c + ch] =
            x[(static_cast<size_t>(i) * w + j) * c + ch];
  return y;
}

std::vector<int64_t> maxpool(const std::vector<int64_t>& x, int d, int k, int c) {
  const int od = d / k;
  std::vector<int64_t> y(static_cast<size_t>(od) * od * c);
  for (int oi = 0; oi < od; ++oi)
    for (int oj = 0; oj < od; ++oj)
      for (int ch = 0; ch < c; ++ch) {
        int64_t m = x[(static_cast<size_t>(oi * k) * d + oj * k) * c + ch];
        for (int a = 0; a < k; ++a)
          for (int b = 0; b < k; ++b)
            m = std::max(m, x[(static_cast<size_t>(oi * k + a) * d + (oj * k + b)) * c + ch]);
        y[(static_cast<size_t>(oi) * od + oj) * c + ch] = m;
      }
  return y;
}

std::vector<int64_t> sliding_window(const std::vector<int64_t>& x, int d, int c, int k, int s) {
  const int oh = (d - k) / s + 1;
  std::vector<int64_t> y;
  y.reserve(static_cast<size_t>(oh) * oh * k * k * c);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < oh; ++ox)
      for (int ky = 0; ky < k; ++ky)
        for (int kx = 0; kx < k; ++kx)
          for (int ch = 0; ch < c; ++ch)
            y.push_back(x[(static_cast<size_t>(oy * s + ky) * d + (ox * s + kx)) * c + ch]);
  return y;
}

std::vector<int64_t> downsample(const std::vector<int64_t>& x, int d, int c, int s) {
  const int od = (d - 1) / s + 1;
  std::vector<int64_t> y;
  y.reserve(static_cast<size_t>(od) * od * c);
  for (int i = 0; i < od; ++i)
    for (int j = 0; j < od; ++j)
      for (int ch = 0; ch < c; ++ch)
        y.push_back(x[(static_cast<size_t>(s * i) * d + s * j) * c + ch]);
  return y;
}

}  // namespace golden

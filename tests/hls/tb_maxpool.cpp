// Testbench for shoal_maxpool: random images (half of them from a narrow value range, so
// that equal values and the type extremes are common), random TVALID gaps and TREADY
// stalls, every output beat compared with golden::maxpool, then a stall-free phase: one
// input beat per cycle (IMG_DIM^2 cycles per image). With IN_BITS=1, INPUT_SIGNED=0 every
// output is also checked as BIPOLAR (bit b = 2b - 1): both readings must agree with the
// golden model in their own value domain.
//
// Arguments: IMG_DIM= POOL_DIM= NUM_CHANNELS= IN_BITS= INPUT_SIGNED= [seed=] [images=]
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <algorithm>
#include <memory>

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int d = static_cast<int>(args.req("IMG_DIM"));
  const int k = static_cast<int>(args.req("POOL_DIM"));
  const int c = static_cast<int>(args.req("NUM_CHANNELS"));
  const int bits = static_cast<int>(args.req("IN_BITS"));
  const bool in_signed = args.req("INPUT_SIGNED") != 0;
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int od = d / k;
  const int in_beats = d * d, out_beats = od * od;
  const int images = static_cast<int>(args.i("images", std::max(12, 6000 / in_beats)));
  const int width = c * bits;
  const bool bipolar_too = bits == 1 && !in_signed;
  std::mt19937_64 rng(seed);

  const int64_t vmin = in_signed ? -(int64_t(1) << (bits - 1)) : 0;
  const int64_t vmax = in_signed ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::StreamBench<Vdut> bench(*top, width, rng);
  std::vector<tb::Bits> expect, expect_bipolar;
  const std::vector<tb::Bits>& received = bench.received;
  const std::vector<uint64_t>& in_cycles = bench.in_cycles;
  const std::vector<uint64_t>& out_cycles = bench.out_cycles;
  uint64_t bipolar_mismatches = 0;

  auto pack = [&](const std::vector<int64_t>& img, int pixel, bool bipolar) {
    tb::Bits beat(width);
    for (int ch = 0; ch < c; ++ch) {
      int64_t v = img[static_cast<size_t>(pixel) * c + ch];
      beat.set(ch * bits, bits, bipolar ? (v > 0 ? 1u : 0u) : tb::wrapu(v, bits));
    }
    return beat;
  };
  auto push_images = [&](int n) {
    for (int i = 0; i < n; ++i) {
      int64_t lo = vmin, hi = vmax;
      switch (rng() % 4) {
        case 0:
          hi = std::min(vmax, vmin + 1);
          break;
        case 1:
          lo = std::max(vmin, vmax - 2);
          break;
        default:
          break;
      }
      std::vector<int64_t> x(static_cast<size_t>(in_beats) * c);
      for (auto& v : x) v = std::uniform_int_distribution<int64_t>(lo, hi)(rng);
      auto y = golden::maxpool(x, d, k, c);
      for (int p = 0; p < in_beats; ++p) bench.src.queue.push_back(pack(x, p, false));
      for (int p = 0; p < out_beats; ++p) expect.push_back(pack(y, p, false));
      if (bipolar_too) {
        std::vector<int64_t> xb(x.size());
        for (size_t j = 0; j < x.size(); ++j) xb[j] = 2 * x[j] - 1;
        auto yb = golden::maxpool(xb, d, k, c);
        for (int p = 0; p < out_beats; ++p) expect_bipolar.push_back(pack(yb, p, true));
      }
    }
  };
  auto drain = [&]() { bench.drain(expect.size(), 1000000); };

  bench.stall_regimes(push_images, std::max(4, images / 3), 1000000);
  drain();

  // Throughput with continuous input and no stalls: one input beat per cycle.
  const int tp_images = std::max(4, 4000 / in_beats);
  push_images(tp_images + 2);
  const int window = tp_images * in_beats;
  const int in_fires = bench.steady_fires(in_beats + 4, window, false);
  drain();
  top->final();

  // Latency: last input pixel of a window to its output beat (minimum). Window (oi, oj)
  // of an image ends with input pixel (oi*k + k-1, oj*k + k-1).
  uint64_t latency = ~0ull;
  for (size_t i = 0; i < out_cycles.size(); ++i) {
    const size_t img = i / out_beats, p = i % out_beats;
    const size_t last = img * in_beats + ((p / od) * k + k - 1) * d + (p % od) * k + k - 1;
    if (last < in_cycles.size())
      latency = std::min<uint64_t>(latency, out_cycles[i] - in_cycles[last]);
  }
  uint64_t mismatches = received.size() != expect.size() ? 1 : 0;
  if (mismatches)
    std::printf("  received %zu beats, expected %zu\n", received.size(), expect.size());
  for (size_t i = 0; i < std::min(received.size(), expect.size()); ++i) {
    if (received[i] != expect[i] && mismatches++ < 5)
      std::printf("  mismatch at image %zu beat %zu: got %s expected %s\n", i / out_beats,
                  i % out_beats, received[i].hex().c_str(), expect[i].hex().c_str());
    if (bipolar_too && received[i] != expect_bipolar[i] && bipolar_mismatches++ < 5)
      std::printf("  bipolar mismatch at image %zu beat %zu: got %s expected %s\n", i / out_beats,
                  i % out_beats, received[i].hex().c_str(), expect_bipolar[i].hex().c_str());
  }
  const double cpi = in_fires > 0 ? static_cast<double>(window) * in_beats / in_fires : -1.0;
  char extra[200];
  std::snprintf(extra, sizeof extra, "beats=%zu%s cycles/image=%.2f (expected %d) latency=%llu",
                received.size(),
                bipolar_too ? (bipolar_mismatches ? " bipolar=FAIL" : " bipolar=ok") : "", cpi,
                in_beats, static_cast<unsigned long long>(latency));
  return tb::finish("shoal_maxpool", mismatches + bipolar_mismatches, bench.sink.errors,
                    in_fires == window, extra);
}

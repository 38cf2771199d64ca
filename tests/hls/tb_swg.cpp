// Testbench for shoal_swg: random images (random bits per lane), random TVALID gaps and
// TREADY stalls, every output beat compared with golden::sliding_window, then a stall-free
// phase with continuous input that measures the steady-state period P per image (cycles
// between the first output beats of images i and i+n of back-to-back images, over n) against
// FINN's cycle estimate E = D*k*MF + OH*max(OH*k*k*MF, s*D*MF). The module may overlap the
// start of the next image with the end of the current one by at most s input rows, so P
// must lie in [E - s*D*MF - 8, E + 8].
//
// Arguments: IFM_DIM= IFM_CHANNELS= SIMD= KERNEL= STRIDE= IN_BITS= [seed=] [images=]
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <algorithm>
#include <memory>

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int d = static_cast<int>(args.req("IFM_DIM"));
  const int c = static_cast<int>(args.req("IFM_CHANNELS"));
  const int simd = static_cast<int>(args.req("SIMD"));
  const int k = static_cast<int>(args.req("KERNEL"));
  const int s = static_cast<int>(args.req("STRIDE"));
  const int bits = static_cast<int>(args.req("IN_BITS"));
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int mf = c / simd;
  const int oh = (d - k) / s + 1;
  const int in_beats = d * d * mf, out_beats = oh * oh * k * k * mf;
  const int64_t estimate = static_cast<int64_t>(d) * k * mf +
                           static_cast<int64_t>(oh) * std::max(oh * k * k * mf, s * d * mf);
  const int64_t p_min = estimate - static_cast<int64_t>(s) * d * mf - 8, p_max = estimate + 8;
  // Few images for the big geometries (cnv_w1a1's second SWG has 56448 output beats per
  // image), many for the small ones, so that image boundaries are crossed often.
  const int images = static_cast<int>(args.i("images", std::max(6, 6000 / out_beats)));
  const int width = simd * bits;
  std::mt19937_64 rng(seed);

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::StreamBench<Vdut> bench(*top, width, rng);
  std::vector<tb::Bits> expect;
  const std::vector<tb::Bits>& received = bench.received;
  const std::vector<uint64_t>& out_cycles = bench.out_cycles;

  // Both the input (h, w, cf) and the golden output [oy][ox][ky][kx][ch] are flat runs of
  // SIMD-channel groups in stream order: beat b holds elements b*SIMD .. b*SIMD + SIMD-1.
  auto pack = [&](const std::vector<int64_t>& v, size_t beat) {
    return tb::pack_lanes(v, beat, simd, bits);
  };
  auto push_images = [&](int n) {
    for (int i = 0; i < n; ++i) {
      // The module does not interpret the data: random bits in every lane.
      std::vector<int64_t> x(static_cast<size_t>(d) * d * c);
      for (auto& v : x) v = static_cast<int64_t>(tb::wrapu(static_cast<int64_t>(rng()), bits));
      auto y = golden::sliding_window(x, d, c, k, s);
      for (int b = 0; b < in_beats; ++b) bench.src.queue.push_back(pack(x, b));
      for (int b = 0; b < out_beats; ++b) expect.push_back(pack(y, b));
    }
  };
  // Upper bound on the cycles of n images even at a 0.7 stall/gap rate (hang guard).
  auto budget = [&](size_t n) { return 20 * n * (in_beats + out_beats) + 10000; };
  auto drain = [&]() {
    bench.drain(expect.size(), budget((expect.size() - received.size()) / out_beats + 1));
  };

  const int regime_images = std::max(2, images / 3);
  bench.stall_regimes(push_images, regime_images, budget(regime_images));
  drain();

  // Steady-state period with continuous input and no stalls: first output beats of images
  // 1 and 1 + tp_images of the phase (image 0 starts from an idle module; images 1.. follow
  // a busy one, and all their input is queued, so the input never waits).
  const int tp_images = static_cast<int>(std::max<int64_t>(3, 20000 / estimate));
  const size_t tp_base = expect.size();
  push_images(tp_images + 2);
  drain();
  top->final();

  double period = -1.0;
  const size_t first = tp_base + out_beats,
               last = tp_base + static_cast<size_t>(tp_images + 1) * out_beats;
  if (last < out_cycles.size())
    period = static_cast<double>(out_cycles[last] - out_cycles[first]) / tp_images;
  const bool period_ok = period >= p_min && period <= p_max;

  uint64_t mismatches = received.size() != expect.size() ? 1 : 0;
  if (mismatches)
    std::printf("  received %zu beats, expected %zu\n", received.size(), expect.size());
  for (size_t i = 0; i < std::min(received.size(), expect.size()); ++i) {
    if (received[i] != expect[i] && mismatches++ < 5) {
      // Beat b of an image is (oy, ox, ky, kx, cf) in row-major order.
      const size_t b = i % out_beats;
      const int cfi = static_cast<int>(b % mf), kx = static_cast<int>(b / mf % k),
                ky = static_cast<int>(b / mf / k % k), ox = static_cast<int>(b / mf / k / k % oh),
                oy = static_cast<int>(b / mf / k / k / oh);
      std::printf(
          "  mismatch at image %zu beat %zu (oy=%d ox=%d ky=%d kx=%d cf=%d: pixel %d,%d): got %s "
          "expected %s\n",
          i / out_beats, b, oy, ox, ky, kx, cfi, oy * s + ky, ox * s + kx,
          received[i].hex().c_str(), expect[i].hex().c_str());
    }
  }
  if (!period_ok)
    std::printf("  period %.2f cycles/image outside [%lld, %lld]\n", period,
                static_cast<long long>(p_min), static_cast<long long>(p_max));
  char extra[200];
  std::snprintf(extra, sizeof extra, "beats=%zu P=%.2f E=%lld P/E=%.3f", received.size(), period,
                static_cast<long long>(estimate), period / static_cast<double>(estimate));
  return tb::finish("shoal_swg", mismatches, bench.sink.errors, period_ok, extra);
}

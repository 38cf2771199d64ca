// Testbench for shoal_downsampler: random images (random bits per lane), random TVALID gaps
// and TREADY stalls, every output beat compared with golden::downsample, then a stall-free
// phase: one input beat per cycle (IMG_DIM^2*MF cycles per image; the dropped pixels must
// not cost cycles).
//
// Arguments: IMG_DIM= NUM_CHANNELS= SIMD= STRIDE= IN_BITS= [seed=] [images=]
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <algorithm>
#include <memory>

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int d = static_cast<int>(args.req("IMG_DIM"));
  const int c = static_cast<int>(args.req("NUM_CHANNELS"));
  const int simd = static_cast<int>(args.req("SIMD"));
  const int s = static_cast<int>(args.req("STRIDE"));
  const int bits = static_cast<int>(args.req("IN_BITS"));
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int mf = c / simd;
  const int od = (d - 1) / s + 1;
  const int in_beats = d * d * mf, out_beats = od * od * mf;
  const int images = static_cast<int>(args.i("images", std::max(12, 6000 / in_beats)));
  const int width = simd * bits;
  std::mt19937_64 rng(seed);

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::StreamBench<Vdut> bench(*top, width, rng);
  std::vector<tb::Bits> expect;
  const std::vector<tb::Bits>& received = bench.received;
  std::vector<int64_t> expect_src;  // input beat index of each expected output beat
  int64_t pushed_in = 0;

  // Input and golden output are flat runs of SIMD-channel groups in stream order (h, w, cf):
  // beat b holds elements b*SIMD .. b*SIMD + SIMD-1.
  auto pack = [&](const std::vector<int64_t>& v, size_t beat) {
    return tb::pack_lanes(v, beat, simd, bits);
  };
  auto push_images = [&](int n) {
    for (int i = 0; i < n; ++i) {
      // The module does not interpret the data: random bits in every lane.
      std::vector<int64_t> x(static_cast<size_t>(d) * d * c);
      for (auto& v : x) v = static_cast<int64_t>(tb::wrapu(static_cast<int64_t>(rng()), bits));
      auto y = golden::downsample(x, d, c, s);
      for (int b = 0; b < in_beats; ++b) bench.src.queue.push_back(pack(x, b));
      for (int b = 0; b < out_beats; ++b) {
        expect.push_back(pack(y, b));
        const int p = b / mf, f = b % mf;
        expect_src.push_back(pushed_in +
                             (static_cast<int64_t>(p / od) * s * d + (p % od) * s) * mf + f);
      }
      pushed_in += in_beats;
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

  // Latency: input handshake of the kept pixel to its output beat (minimum).
  const uint64_t latency = bench.min_latency(expect_src);
  uint64_t mismatches = received.size() != expect.size() ? 1 : 0;
  if (mismatches)
    std::printf("  received %zu beats, expected %zu\n", received.size(), expect.size());
  for (size_t i = 0; i < std::min(received.size(), expect.size()); ++i) {
    if (received[i] != expect[i] && mismatches++ < 5) {
      const size_t b = i % out_beats, p = b / mf;
      std::printf(
          "  mismatch at image %zu beat %zu (output pixel %zu,%zu cf=%zu): got %s expected %s\n",
          i / out_beats, b, p / od, p % od, b % mf, received[i].hex().c_str(),
          expect[i].hex().c_str());
    }
  }
  const double cpi = in_fires > 0 ? static_cast<double>(window) * in_beats / in_fires : -1.0;
  char extra[160];
  std::snprintf(extra, sizeof extra, "beats=%zu cycles/image=%.2f (expected %d) latency=%llu",
                received.size(), cpi, in_beats, static_cast<unsigned long long>(latency));
  return tb::finish("shoal_downsampler", mismatches, bench.sink.errors, in_fires == window, extra);
}

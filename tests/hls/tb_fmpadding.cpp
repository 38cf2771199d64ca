// Testbench for shoal_fmpadding: random images, random TVALID gaps and TREADY stalls,
// every output beat compared with golden::fmpadding, then a stall-free phase: one output
// beat per cycle (OH*OW*CF cycles per image).
//
// Arguments: IMG_H= IMG_W= NUM_CHANNELS= SIMD= IN_BITS= PAD_TOP= PAD_LEFT= PAD_BOTTOM=
//            PAD_RIGHT= [seed=] [images=]
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <algorithm>
#include <memory>

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int h = static_cast<int>(args.req("IMG_H"));
  const int w = static_cast<int>(args.req("IMG_W"));
  const int c = static_cast<int>(args.req("NUM_CHANNELS"));
  const int simd = static_cast<int>(args.req("SIMD"));
  const int bits = static_cast<int>(args.req("IN_BITS"));
  const int pads[4] = {
      static_cast<int>(args.req("PAD_TOP")), static_cast<int>(args.req("PAD_LEFT")),
      static_cast<int>(args.req("PAD_BOTTOM")), static_cast<int>(args.req("PAD_RIGHT"))};
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int cf = c / simd;
  const int oh = pads[0] + h + pads[2], ow = pads[1] + w + pads[3];
  const int in_beats = h * w * cf, out_beats = oh * ow * cf;
  const int images = static_cast<int>(args.i("images", std::max(12, 6000 / out_beats)));
  const int width = simd * bits;
  std::mt19937_64 rng(seed);

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::StreamBench<Vdut> bench(*top, width, rng);
  std::vector<tb::Bits> expect;
  const std::vector<tb::Bits>& received = bench.received;
  std::vector<int64_t> expect_src;  // input beat index of each expected output beat, or -1
  int64_t pushed_in = 0;

  auto pack = [&](const std::vector<int64_t>& img, int pixel, int f) {
    tb::Bits beat(width);
    for (int s = 0; s < simd; ++s)
      beat.set(s * bits, bits, tb::wrapu(img[static_cast<size_t>(pixel) * c + f * simd + s], bits));
    return beat;
  };
  auto push_images = [&](int n) {
    for (int i = 0; i < n; ++i) {
      // Random values of a signed view; the module does not interpret them.
      std::vector<int64_t> x(static_cast<size_t>(h) * w * c);
      for (auto& v : x) v = tb::sext(rng(), bits);
      auto y = golden::fmpadding(x, h, w, c, pads);
      for (int p = 0; p < h * w; ++p)
        for (int f = 0; f < cf; ++f) bench.src.queue.push_back(pack(x, p, f));
      for (int p = 0; p < oh * ow; ++p) {
        const int r = p / ow - pads[0], q = p % ow - pads[1];
        const bool inside = r >= 0 && r < h && q >= 0 && q < w;
        for (int f = 0; f < cf; ++f) {
          expect.push_back(pack(y, p, f));
          expect_src.push_back(inside ? pushed_in + (static_cast<int64_t>(r) * w + q) * cf + f
                                      : -1);
        }
      }
      pushed_in += in_beats;
    }
  };
  auto drain = [&]() { bench.drain(expect.size(), 1000000); };

  bench.stall_regimes(push_images, std::max(4, images / 3), 1000000);
  drain();

  // Throughput with continuous input and no stalls: one output beat per cycle.
  const int tp_images = std::max(4, 4000 / out_beats);
  push_images(tp_images + 2);
  const int window = tp_images * out_beats;
  const int out_fires = bench.steady_fires(out_beats + 4, window, true);
  drain();
  top->final();

  // Latency: input handshake to the output beat carrying it (minimum).
  const uint64_t latency = bench.min_latency(expect_src);
  uint64_t mismatches = received.size() != expect.size() ? 1 : 0;
  if (mismatches)
    std::printf("  received %zu beats, expected %zu\n", received.size(), expect.size());
  for (size_t i = 0; i < std::min(received.size(), expect.size()); ++i) {
    if (received[i] != expect[i] && mismatches++ < 5)
      std::printf("  mismatch at image %zu beat %zu: got %s expected %s\n", i / out_beats,
                  i % out_beats, received[i].hex().c_str(), expect[i].hex().c_str());
  }
  const double cpi = out_fires > 0 ? static_cast<double>(window) * out_beats / out_fires : -1.0;
  char extra[160];
  std::snprintf(extra, sizeof extra, "beats=%zu cycles/image=%.2f (expected %d) latency=%llu",
                received.size(), cpi, out_beats, static_cast<unsigned long long>(latency));
  return tb::finish("shoal_fmpadding", mismatches, bench.sink.errors, out_fires == window, extra);
}

// Testbench for shoal_thresholding: random thresholds (written to the THRESH_FILE the
// model was built with), random pixels with random TVALID gaps and TREADY stalls,
// bit-exact comparison with golden::thresholding, then a stall-free phase that must give
// one output beat per cycle.
//
// Arguments: NUM_CHANNELS= PE= NUM_STEPS= IN_BITS= INPUT_SIGNED= T_BITS= T_SIGNED=
//            OUT_BITS= ACT_VAL= [THRESH_SEARCH=] thresh_file= [seed=] [pixels=]
// With THRESH_SEARCH=1 every channel's thresholds are ascending (the search form's
// precondition) and go into the stage files of tb::write_search_files.
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <algorithm>
#include <fstream>
#include <memory>

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int channels = static_cast<int>(args.req("NUM_CHANNELS"));
  const int pe = static_cast<int>(args.req("PE"));
  const int steps = static_cast<int>(args.req("NUM_STEPS"));
  const int in_bits = static_cast<int>(args.req("IN_BITS"));
  const bool in_signed = args.req("INPUT_SIGNED") != 0;
  const int t_bits = static_cast<int>(args.req("T_BITS"));
  const bool t_signed = args.req("T_SIGNED") != 0;
  const int out_bits = static_cast<int>(args.req("OUT_BITS"));
  const int64_t act_val = args.req("ACT_VAL");
  const bool search = args.i("THRESH_SEARCH", 0) != 0;
  const std::string thresh_file = args.s("thresh_file", "");
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int pixels = static_cast<int>(args.i("pixels", std::max<long long>(64, 6000 / channels)));
  const int nf_count = channels / pe;
  std::mt19937_64 rng(seed);

  auto range = [](int bits, bool sgn) {
    return sgn ? std::make_pair(-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1)
               : std::make_pair(int64_t(0), (int64_t(1) << bits) - 1);
  };
  auto [in_min, in_max] = range(in_bits, in_signed);
  auto [t_min, t_max] = range(t_bits, t_signed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };

  // Thresholds: mostly inside (or just around) the input range, sorted ascending for
  // most channels as FINN produces them; some span the whole threshold type.
  std::vector<std::vector<int64_t>> thr(channels, std::vector<int64_t>(steps));
  for (int c = 0; c < channels; ++c) {
    bool wide = uniform(0, 4) == 0;
    for (int k = 0; k < steps; ++k) {
      int64_t lo = wide ? t_min : std::max(t_min, in_min - 1);
      int64_t hi = wide ? t_max : std::min(t_max, in_max + 1);
      thr[c][k] = uniform(lo, hi);
    }
    if (search || uniform(0, 4) != 0) std::sort(thr[c].begin(), thr[c].end());
  }
  if (search) {
    std::vector<std::vector<int64_t>> raw(thr);
    for (auto& row : raw)
      for (auto& v : row) v = static_cast<int64_t>(tb::wrapu(v, t_bits));
    tb::write_search_files(thresh_file, raw, pe, t_bits);
  } else {
    std::ofstream f(thresh_file);
    for (int nf = 0; nf < nf_count; ++nf) {
      tb::Bits line(pe * steps * t_bits);
      for (int p = 0; p < pe; ++p)
        for (int k = 0; k < steps; ++k)
          line.set((p * steps + k) * t_bits, t_bits, tb::wrapu(thr[nf * pe + p][k], t_bits));
      f << line.hex() << "\n";
    }
  }

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::Source src;
  tb::Sink sink;
  std::vector<tb::Bits> expect, received;
  std::vector<uint64_t> in_cycles, out_cycles;
  uint64_t cycle = 0;

  // Queues n random pixels and their expected output beats.
  auto push_pixels = [&](int n) {
    std::vector<std::vector<int64_t>> x(n, std::vector<int64_t>(channels));
    for (auto& px : x)
      for (auto& v : px) v = uniform(in_min, in_max);
    auto y = golden::thresholding(x, thr, act_val);
    for (int p = 0; p < n; ++p) {
      for (int nf = 0; nf < nf_count; ++nf) {
        tb::Bits ib(pe * in_bits), ob(pe * out_bits);
        for (int l = 0; l < pe; ++l) {
          ib.set(l * in_bits, in_bits, tb::wrapu(x[p][nf * pe + l], in_bits));
          ob.set(l * out_bits, out_bits, tb::wrapu(y[p][nf * pe + l], out_bits));
        }
        src.queue.push_back(ib);
        expect.push_back(ob);
      }
    }
  };
  auto step = [&]() {
    tb::Bits d;
    tb::Fires f = tb::cycle_io(*top, src, sink, pe * out_bits, rng, cycle, &d);
    if (f.out) received.push_back(d), out_cycles.push_back(cycle);
    if (f.in) in_cycles.push_back(cycle);
    ++cycle;
    return f;
  };
  auto drain = [&]() {
    src.gap_prob = 0.0;
    sink.stall_prob = 0.0;
    for (int i = 0; i < 1000000 && received.size() < expect.size(); ++i) step();
  };

  top->in0_V_TVALID = 0;
  top->out_V_TREADY = 0;
  tb::reset(*top);

  const double regimes[][2] = {{0.3, 0.3}, {0.0, 0.6}, {0.6, 0.0}};
  for (const auto& r : regimes) {
    push_pixels(std::max(1, pixels / 3));
    src.gap_prob = r[0];
    sink.stall_prob = r[1];
    for (int i = 0; i < 1000000 && !src.queue.empty(); ++i) step();
  }
  drain();

  // Throughput: continuous input, measured after the pipeline has filled.
  const int tp_cycles = 2000;
  const size_t tp_first = expect.size();
  push_pixels((tp_cycles + 64) / nf_count + 1);
  for (int i = 0; i < 32; ++i) step();  // longer than any latency (search: stages + 1)
  int out_fires = 0;
  for (int i = 0; i < tp_cycles; ++i) out_fires += step().out;
  drain();
  top->final();

  uint64_t latency = 0;
  for (size_t b = tp_first; b < out_cycles.size() && b < in_cycles.size(); ++b)
    latency = std::max<uint64_t>(latency, out_cycles[b] - in_cycles[b]);
  uint64_t mismatches = received.size() != expect.size() ? 1 : 0;
  if (mismatches)
    std::printf("  received %zu beats, expected %zu\n", received.size(), expect.size());
  for (size_t i = 0; i < std::min(received.size(), expect.size()); ++i) {
    if (received[i] != expect[i] && mismatches++ < 5)
      std::printf("  mismatch at beat %zu: got %s expected %s\n", i, received[i].hex().c_str(),
                  expect[i].hex().c_str());
  }
  char extra[160];
  std::snprintf(extra, sizeof extra, "beats=%zu throughput=%d/%d beats/cycle latency=%llu",
                received.size(), out_fires, tp_cycles, static_cast<unsigned long long>(latency));
  return tb::finish("shoal_thresholding", mismatches, sink.errors, out_fires == tp_cycles, extra);
}

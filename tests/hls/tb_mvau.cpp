// Testbench for shoal_mvau: random inputs and weights in the operand domain selected by the
// parameters (integer, bipolar, XNOR), thresholds drawn from the actual accumulator
// distribution (written to the THRESH_FILE the model was built with), random TVALID gaps
// on in0_V and weights_V and random TREADY stalls on out_V; every output beat compared
// bit-exactly with golden::mvau. Then a stall-free phase in which output beats must come
// exactly SF cycles apart (NF*SF cycles per vector, back to back).
//
// Arguments: the module parameters (MW= MH= PE= SIMD= IN_BITS= WEIGHT_BITS= ACC_BITS=
// OUT_BITS= INPUT_SIGNED= WEIGHT_SIGNED= INPUT_BIPOLAR= WEIGHT_BIPOLAR= XNOR= NUM_STEPS=
// T_BITS= ACT_VAL= [THRESH_SEARCH=]), thresh_file=, [seed=] [vectors=]
// With THRESH_SEARCH=1 every neuron's thresholds are ascending (the search form's
// precondition) and go into the stage files of tb::write_search_files.
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <algorithm>
#include <fstream>
#include <memory>

namespace {

struct Operand {
  int bits;
  bool is_signed, bipolar, binary;
  int64_t min() const {
    if (bipolar) return -1;
    if (binary) return 0;
    return is_signed ? -(int64_t(1) << (bits - 1)) : 0;
  }
  int64_t max() const {
    if (bipolar || binary) return 1;
    return is_signed ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;
  }
  int64_t random(std::mt19937_64& rng) const {
    if (bipolar) return (rng() & 1) ? 1 : -1;
    return std::uniform_int_distribution<int64_t>(min(), max())(rng);
  }
  uint64_t encode(int64_t v) const { return bipolar ? (v > 0 ? 1u : 0u) : tb::wrapu(v, bits); }
};

}  // namespace

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int mw = static_cast<int>(args.req("MW"));
  const int mh = static_cast<int>(args.req("MH"));
  const int pe = static_cast<int>(args.req("PE"));
  const int simd = static_cast<int>(args.req("SIMD"));
  const int acc_bits = static_cast<int>(args.req("ACC_BITS"));
  const int out_bits = static_cast<int>(args.req("OUT_BITS"));
  const bool xnor = args.req("XNOR") != 0;
  const int steps = static_cast<int>(args.req("NUM_STEPS"));
  const int t_bits = static_cast<int>(args.i("T_BITS", acc_bits));
  const int64_t act_val = args.i("ACT_VAL", 0);
  const std::string thresh_file = args.s("thresh_file", "");
  const bool search = args.i("THRESH_SEARCH", 0) != 0;
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int sf_count = mw / simd, nf_count = mh / pe;
  const int vectors =
      static_cast<int>(args.i("vectors", std::max(24, 12000 / (sf_count * nf_count))));
  const Operand in_op{static_cast<int>(args.req("IN_BITS")), args.req("INPUT_SIGNED") != 0,
                      args.req("INPUT_BIPOLAR") != 0 && !xnor, xnor};
  const Operand w_op{static_cast<int>(args.req("WEIGHT_BITS")), args.req("WEIGHT_SIGNED") != 0,
                     args.req("WEIGHT_BIPOLAR") != 0 && !xnor, xnor};
  const int in_width = simd * in_op.bits;
  const int w_width = pe * simd * w_op.bits;
  const int out_width = pe * out_bits;
  std::mt19937_64 rng(seed);

  golden::MvauSpec spec;
  spec.mw = mw;
  spec.mh = mh;
  spec.xnor = xnor;
  spec.acc_bits = acc_bits;
  spec.num_steps = steps;
  spec.act_val = act_val;

  std::vector<std::vector<int64_t>> weights(mw, std::vector<int64_t>(mh));
  for (auto& row : weights)
    for (auto& v : row) v = w_op.random(rng);
  auto random_vectors = [&](int n) {
    std::vector<std::vector<int64_t>> x(n, std::vector<int64_t>(mw));
    for (auto& vec : x)
      for (auto& v : vec) v = in_op.random(rng);
    return x;
  };

  // Thresholds: sampled from accumulator values of random vectors (so that every output
  // level occurs), sorted ascending for most neurons, clamped to T_BITS.
  std::vector<std::vector<int64_t>> thr(mh, std::vector<int64_t>(steps));
  if (steps > 0) {
    golden::MvauSpec raw = spec;
    raw.num_steps = 0;
    auto accs = golden::mvau(raw, random_vectors(16), weights, thr);
    const int64_t t_lo = -(int64_t(1) << (t_bits - 1)), t_hi = (int64_t(1) << (t_bits - 1)) - 1;
    for (int n = 0; n < mh; ++n) {
      for (int k = 0; k < steps; ++k) {
        int64_t base = accs[rng() % accs.size()][n];
        int64_t t = base + static_cast<int64_t>(rng() % 5) - 2;
        thr[n][k] = std::min(t_hi, std::max(t_lo, t));
      }
      if (search || rng() % 5 != 0) std::sort(thr[n].begin(), thr[n].end());
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
  }

  // Weight words in memstream order (address nf*SF + sf).
  std::vector<tb::Bits> wmem;
  for (int nf = 0; nf < nf_count; ++nf)
    for (int sf = 0; sf < sf_count; ++sf) {
      tb::Bits word(w_width);
      for (int p = 0; p < pe; ++p)
        for (int s = 0; s < simd; ++s)
          word.set((p * simd + s) * w_op.bits, w_op.bits,
                   w_op.encode(weights[sf * simd + s][nf * pe + p]));
      wmem.push_back(word);
    }

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::Source in_src, w_src;
  tb::Sink sink;
  std::vector<tb::Bits> expect, received;
  std::vector<uint64_t> out_cycles;
  std::vector<uint64_t> w_cycles;  // cycle of every weight handshake
  uint64_t cycle = 0;

  auto push_vectors = [&](int n) {
    auto x = random_vectors(n);
    auto y = golden::mvau(spec, x, weights, thr);
    for (int v = 0; v < n; ++v) {
      for (int sf = 0; sf < sf_count; ++sf) {
        tb::Bits beat(in_width);
        for (int s = 0; s < simd; ++s)
          beat.set(s * in_op.bits, in_op.bits, in_op.encode(x[v][sf * simd + s]));
        in_src.queue.push_back(beat);
      }
      for (const auto& word : wmem) w_src.queue.push_back(word);
      for (int nf = 0; nf < nf_count; ++nf) {
        tb::Bits beat(out_width);
        for (int p = 0; p < pe; ++p)
          beat.set(p * out_bits, out_bits, tb::wrapu(y[v][nf * pe + p], out_bits));
        expect.push_back(beat);
      }
    }
  };

  auto step = [&]() {
    bool iv = in_src.valid(rng), wv = w_src.valid(rng);
    top->in0_V_TVALID = iv;
    if (iv) tb::put(top->in0_V_TDATA, in_src.data());
    top->weights_V_TVALID = wv;
    if (wv) tb::put(top->weights_V_TDATA, w_src.data());
    bool rdy = sink.ready(rng);
    top->out_V_TREADY = 0;
    top->eval();
    bool v0 = top->out_V_TVALID;
    bool in_rdy0 = top->in0_V_TREADY, w_rdy0 = top->weights_V_TREADY;
    top->out_V_TREADY = rdy;
    top->eval();
    if (in_rdy0 != static_cast<bool>(top->in0_V_TREADY) ||
        w_rdy0 != static_cast<bool>(top->weights_V_TREADY)) {
      if (sink.errors++ < 5) std::printf("  input TREADY depends on out_V_TREADY\n");
    }
    bool in_fire = iv && top->in0_V_TREADY;
    bool w_fire = wv && top->weights_V_TREADY;
    tb::Bits d = tb::get(top->out_V_TDATA, out_width);
    bool out_fire = sink.check(v0, top->out_V_TVALID, d, cycle);
    if (out_fire) {
      received.push_back(d);
      out_cycles.push_back(cycle);
    }
    top->ap_clk = 1;
    top->eval();
    top->ap_clk = 0;
    top->eval();
    in_src.update(in_fire);
    w_src.update(w_fire);
    if (w_fire) w_cycles.push_back(cycle);
    ++cycle;
  };
  auto run_until_done = [&]() {
    for (int i = 0; i < 10000000 && received.size() < expect.size(); ++i) step();
  };

  top->in0_V_TVALID = 0;
  top->weights_V_TVALID = 0;
  top->out_V_TREADY = 0;
  tb::reset(*top);

  // Random traffic in several regimes: {in gap, weight gap, out stall}.
  const double regimes[][3] = {{0.3, 0.3, 0.3}, {0.0, 0.0, 0.7}, {0.6, 0.1, 0.0}, {0.1, 0.6, 0.1}};
  for (const auto& r : regimes) {
    push_vectors(std::max(2, vectors / 4));
    in_src.gap_prob = r[0];
    w_src.gap_prob = r[1];
    sink.stall_prob = r[2];
    run_until_done();
  }

  // Throughput: no gaps or stalls; output beats must be exactly SF cycles apart.
  in_src.gap_prob = w_src.gap_prob = sink.stall_prob = 0.0;
  const int tp_vectors = std::max(8, 4000 / (sf_count * nf_count));
  const size_t first_beat = received.size();
  push_vectors(tp_vectors);
  run_until_done();
  top->final();

  int bad_gaps = 0;
  for (size_t i = first_beat + 1; i < out_cycles.size(); ++i)
    if (out_cycles[i] - out_cycles[i - 1] != static_cast<uint64_t>(sf_count)) ++bad_gaps;
  // Cycles per vector, measured between the first beats of the second and last vectors.
  const size_t b0 = first_beat + nf_count,
               b1 = first_beat + static_cast<size_t>(tp_vectors - 1) * nf_count;
  double cyc_per_vec = (b1 < out_cycles.size() && b1 > b0)
                           ? static_cast<double>(out_cycles[b1] - out_cycles[b0]) / (tp_vectors - 2)
                           : -1.0;

  // Latency: output beat b belongs to weight word (b+1)*SF - 1 (its last iteration).
  uint64_t latency = 0;
  for (size_t b = first_beat; b < out_cycles.size(); ++b) {
    size_t w = (b + 1) * sf_count - 1;
    if (w < w_cycles.size()) latency = std::max<uint64_t>(latency, out_cycles[b] - w_cycles[w]);
  }

  uint64_t mismatches = received.size() != expect.size() ? 1 : 0;
  if (mismatches)
    std::printf("  received %zu beats, expected %zu\n", received.size(), expect.size());
  for (size_t i = 0; i < std::min(received.size(), expect.size()); ++i) {
    if (received[i] != expect[i] && mismatches++ < 5)
      std::printf("  mismatch at beat %zu (vector %zu, nf %zu): got %s expected %s\n", i,
                  i / nf_count, i % nf_count, received[i].hex().c_str(), expect[i].hex().c_str());
  }
  const bool rate_ok = bad_gaps == 0 && cyc_per_vec == static_cast<double>(sf_count * nf_count);
  char extra[240];
  std::snprintf(extra, sizeof extra,
                "beats=%zu cycles/vector=%.2f (NF*SF=%d) irregular_gaps=%d latency=%llu",
                received.size(), cyc_per_vec, sf_count * nf_count, bad_gaps,
                static_cast<unsigned long long>(latency));
  return tb::finish("shoal_mvau", mismatches, sink.errors, rate_ok, extra);
}

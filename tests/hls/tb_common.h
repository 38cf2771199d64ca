// Shared helpers for the Verilator testbenches of the hls/ modules: arbitrary-width bit
// vectors, port access for every Verilator port type, an AXI-Stream source with random
// TVALID gaps, an AXI-Stream sink with random TREADY stalls and protocol checks, and
// KEY=VALUE command-line parsing.
#pragma once

#include <verilated.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace tb {

// ---------------------------------------------------------------------------------------
// Bits: a little-endian bit vector (bit 0 = LSB of word 0).
struct Bits {
  int width = 0;
  std::vector<uint32_t> words;

  Bits() = default;
  explicit Bits(int w) : width(w), words(static_cast<size_t>((w + 31) / 32 + 1), 0u) {}

  void set(int off, int nb, uint64_t val) {
    for (int i = 0; i < nb; ++i) {
      int b = off + i;
      uint32_t bit = static_cast<uint32_t>((val >> i) & 1u);
      words[b / 32] = (words[b / 32] & ~(1u << (b % 32))) | (bit << (b % 32));
    }
  }
  uint64_t get(int off, int nb) const {
    uint64_t v = 0;
    for (int i = 0; i < nb; ++i) {
      int b = off + i;
      v |= static_cast<uint64_t>((words[b / 32] >> (b % 32)) & 1u) << i;
    }
    return v;
  }
  bool bit(int b) const { return (words[b / 32] >> (b % 32)) & 1u; }
  bool operator==(const Bits& o) const {
    if (width != o.width) return false;
    for (int b = 0; b < width; ++b)
      if (bit(b) != o.bit(b)) return false;
    return true;
  }
  bool operator!=(const Bits& o) const { return !(*this == o); }
  std::string hex() const {
    static const char* digits = "0123456789abcdef";
    std::string s;
    int nd = (width + 3) / 4;
    for (int d = nd - 1; d >= 0; --d) {
      int nb = (d * 4 + 4 <= width) ? 4 : width - d * 4;
      s += digits[get(d * 4, nb)];
    }
    return s.empty() ? "0" : s;
  }
};

// Writes the threshold files of the search form (THRESH_SEARCH=1, hls/README.md) for the
// thresholds thr[channel][k] (ascending per channel): for stage j < m = clog2(steps + 1)
// and lane p, base + "_s<j>_p<ppp>.dat" with NF*2^j lines of bits bits; line nf*2^j + i
// holds T[nf*pe + p][i*2^(m-j) + 2^(m-1-j) - 1], or 0 where that index is >= steps.
inline void write_search_files(const std::string& base,
                               const std::vector<std::vector<int64_t>>& thr, int pe, int bits) {
  const int channels = static_cast<int>(thr.size());
  const int steps = channels ? static_cast<int>(thr[0].size()) : 0;
  int m = 0;
  while ((1 << m) < steps + 1) ++m;
  for (int j = 0; j < m; ++j)
    for (int p = 0; p < pe; ++p) {
      char suffix[32];
      std::snprintf(suffix, sizeof suffix, "_s%d_p%03d.dat", j, p);
      std::FILE* f = std::fopen((base + suffix).c_str(), "w");
      if (!f) {
        std::fprintf(stderr, "tb: error: cannot write %s%s\n", base.c_str(), suffix);
        std::exit(2);
      }
      for (int nf = 0; nf < channels / pe; ++nf)
        for (int i = 0; i < (1 << j); ++i) {
          int k = (i << (m - j)) + (1 << (m - 1 - j)) - 1;
          Bits word(bits);
          word.set(0, bits, k < steps ? static_cast<uint64_t>(thr[nf * pe + p][k]) : 0);
          std::fprintf(f, "%s\n", word.hex().c_str());
        }
      std::fclose(f);
    }
}

// Sign-extends the low nb bits of v.
inline int64_t sext(uint64_t v, int nb) {
  if (nb >= 64) return static_cast<int64_t>(v);
  uint64_t m = 1ull << (nb - 1);
  v &= (nb == 64) ? ~0ull : ((1ull << nb) - 1);
  return static_cast<int64_t>((v ^ m) - m);
}
// Wraps v to nb bits (unsigned view).
inline uint64_t wrapu(int64_t v, int nb) {
  return nb >= 64 ? static_cast<uint64_t>(v) : (static_cast<uint64_t>(v) & ((1ull << nb) - 1));
}

// Beat `beat` of a stream whose elements v are laid out in stream order, `lanes` elements
// of `bits` bits a beat (element 0 in the LSBs).
inline Bits pack_lanes(const std::vector<int64_t>& v, size_t beat, int lanes, int bits) {
  Bits b(lanes * bits);
  for (int l = 0; l < lanes; ++l) b.set(l * bits, bits, wrapu(v[beat * lanes + l], bits));
  return b;
}

// ---------------------------------------------------------------------------------------
// Port access for CData/SData/IData/QData and VlWide<N>.
template <typename T>
inline void put(T& port, const Bits& v) {
  port = static_cast<T>(v.get(0, v.width < 64 ? v.width : 64));
}
template <std::size_t N>
inline void put(VlWide<N>& port, const Bits& v) {
  for (std::size_t i = 0; i < N; ++i)
    port[i] = (static_cast<int>(i) < static_cast<int>(v.words.size())) ? v.words[i] : 0u;
  // Clear bits above the width in the top word (Verilator expects them zero).
  int top = v.width % 32;
  if (top != 0 && N > 0) port[N - 1] &= (1u << top) - 1u;
}
template <typename T>
inline Bits get(const T& port, int width) {
  Bits b(width);
  b.set(0, width, static_cast<uint64_t>(port));
  return b;
}
template <std::size_t N>
inline Bits get(const VlWide<N>& port, int width) {
  Bits b(width);
  for (std::size_t i = 0; i < N && i < b.words.size(); ++i) b.words[i] = port[i];
  int top = width % 32;
  if (top != 0) b.words[width / 32] &= (1u << top) - 1u;
  for (std::size_t i = static_cast<std::size_t>(width / 32 + 1); i < b.words.size(); ++i)
    b.words[i] = 0;
  return b;
}

// ---------------------------------------------------------------------------------------
// Command line: KEY=VALUE pairs.
struct Args {
  std::map<std::string, std::string> kv;
  Args(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto eq = a.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "tb: error: argument '%s' is not KEY=VALUE\n", a.c_str());
        std::exit(2);
      }
      kv[a.substr(0, eq)] = a.substr(eq + 1);
    }
  }
  long long i(const std::string& k, long long def) const {
    auto it = kv.find(k);
    return it == kv.end() ? def : std::stoll(it->second);
  }
  long long req(const std::string& k) const {
    auto it = kv.find(k);
    if (it == kv.end()) {
      std::fprintf(stderr, "tb: error: missing argument %s=\n", k.c_str());
      std::exit(2);
    }
    return std::stoll(it->second);
  }
  std::string s(const std::string& k, const std::string& def) const {
    auto it = kv.find(k);
    return it == kv.end() ? def : it->second;
  }
};

// ---------------------------------------------------------------------------------------
// AXI-Stream source: presents queued beats, inserting random gaps with probability
// gap_prob per cycle while idle; once TVALID is raised the beat is held until accepted.
struct Source {
  std::deque<Bits> queue;
  double gap_prob = 0.0;
  bool presenting = false;
  uint64_t fired = 0;

  // Decides TVALID for this cycle (call once per cycle before eval).
  bool valid(std::mt19937_64& rng) {
    if (!presenting && !queue.empty()) {
      std::uniform_real_distribution<double> u(0.0, 1.0);
      presenting = !(gap_prob > 0.0 && u(rng) < gap_prob);
    }
    return presenting;
  }
  const Bits& data() const { return queue.front(); }
  // Call after the clock edge with the handshake result.
  void update(bool fire) {
    if (fire) {
      queue.pop_front();
      presenting = false;
      ++fired;
    }
  }
};

// AXI-Stream sink: random TREADY, checks that TVALID does not depend on TREADY and that
// TVALID/TDATA stay stable while a beat is pending.
struct Sink {
  double stall_prob = 0.0;
  bool ready_now = true;
  bool prev_pending = false;
  Bits prev_data;
  uint64_t errors = 0;
  uint64_t received = 0;
  std::string name = "out_V";

  bool ready(std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    ready_now = !(stall_prob > 0.0 && u(rng) < stall_prob);
    return ready_now;
  }
  // Protocol checks; returns true when a beat transfers this cycle.
  bool check(bool valid_with_ready0, bool valid, const Bits& data, uint64_t cycle) {
    if (valid != valid_with_ready0) {
      if (errors++ < 5)
        std::printf("  protocol: %s TVALID depends on TREADY at cycle %llu\n", name.c_str(),
                    static_cast<unsigned long long>(cycle));
    }
    if (prev_pending) {
      if (!valid) {
        if (errors++ < 5)
          std::printf("  protocol: %s TVALID dropped before handshake at cycle %llu\n",
                      name.c_str(), static_cast<unsigned long long>(cycle));
      } else if (data != prev_data) {
        if (errors++ < 5)
          std::printf("  protocol: %s TDATA changed while stalled at cycle %llu\n", name.c_str(),
                      static_cast<unsigned long long>(cycle));
      }
    }
    bool fire = valid && ready_now;
    prev_pending = valid && !ready_now;
    prev_data = data;
    if (fire) ++received;
    return fire;
  }
};

// One clock cycle of a module with ports in0_V (slave) and out_V (master). Drives the
// source and sink, checks the output protocol, and returns the output beat in *out when
// one transfers. Returns {in_fire, out_fire}.
struct Fires {
  bool in = false;
  bool out = false;
};
template <typename Top>
Fires cycle_io(Top& top, Source& src, Sink& sink, int out_width, std::mt19937_64& rng,
               uint64_t cycle, Bits* out) {
  bool v = src.valid(rng);
  top.in0_V_TVALID = v;
  if (v) put(top.in0_V_TDATA, src.data());
  bool rdy = sink.ready(rng);
  top.out_V_TREADY = 0;
  top.eval();
  bool v0 = top.out_V_TVALID;
  top.out_V_TREADY = rdy;
  top.eval();
  Fires f;
  f.in = v && top.in0_V_TREADY;
  Bits d = get(top.out_V_TDATA, out_width);
  f.out = sink.check(v0, top.out_V_TVALID, d, cycle);
  if (f.out && out) *out = d;
  top.ap_clk = 1;
  top.eval();
  top.ap_clk = 0;
  top.eval();
  src.update(f.in);
  return f;
}

// Holds the module in reset for a few cycles with all inputs idle.
template <typename Top>
void reset(Top& top) {
  top.ap_clk = 0;
  top.ap_rst_n = 0;
  top.eval();
  for (int i = 0; i < 4; ++i) {
    top.ap_clk = 1;
    top.eval();
    top.ap_clk = 0;
    top.eval();
  }
  top.ap_rst_n = 1;
  top.eval();
}

// A stream-to-stream run of a module with ports in0_V (slave) and out_V (master): beats
// queued on `src` go in with the source's TVALID gaps and the sink's TREADY stalls, and
// every output beat and the cycle of every handshake are recorded.
template <typename Top>
struct StreamBench {
  Top& top;
  int width;
  std::mt19937_64& rng;
  Source src;
  Sink sink;
  std::vector<Bits> received;
  std::vector<uint64_t> in_cycles;
  std::vector<uint64_t> out_cycles;
  uint64_t cycle = 0;

  // Resets the module with both streams idle.
  StreamBench(Top& t, int out_width, std::mt19937_64& r) : top(t), width(out_width), rng(r) {
    top.in0_V_TVALID = 0;
    top.out_V_TREADY = 0;
    reset(top);
  }
  Fires step() {
    Bits o;
    Fires f = cycle_io(top, src, sink, width, rng, cycle, &o);
    if (f.out) received.push_back(o), out_cycles.push_back(cycle);
    if (f.in) in_cycles.push_back(cycle);
    ++cycle;
    return f;
  }
  // Runs with the given gap and stall probabilities until the queued input is taken.
  void feed(double gap_prob, double stall_prob, uint64_t max_cycles) {
    src.gap_prob = gap_prob;
    sink.stall_prob = stall_prob;
    for (uint64_t i = 0; i < max_cycles && !src.queue.empty(); ++i) step();
  }
  // Runs without gaps or stalls until `expected` output beats have come out.
  void drain(size_t expected, uint64_t max_cycles) {
    src.gap_prob = 0.0;
    sink.stall_prob = 0.0;
    for (uint64_t i = 0; i < max_cycles && received.size() < expected; ++i) step();
  }
  // Throughput with the queued input and no gaps or stalls: `warmup` cycles, then the
  // number of input (or, with count_out, output) handshakes in the next `window` cycles.
  int steady_fires(int warmup, int window, bool count_out) {
    src.gap_prob = 0.0;
    sink.stall_prob = 0.0;
    for (int i = 0; i < warmup; ++i) step();
    int fires = 0;
    for (int i = 0; i < window; ++i) {
      Fires f = step();
      fires += count_out ? f.out : f.in;
    }
    return fires;
  }
  // Minimum cycles from an input handshake to the output beat that carries it; src[i] is
  // the index of the input beat output beat i carries, or -1 for none (e.g. padding).
  uint64_t min_latency(const std::vector<int64_t>& src) const {
    uint64_t latency = ~0ull;
    for (size_t i = 0; i < std::min(out_cycles.size(), src.size()); ++i)
      if (src[i] >= 0 && static_cast<size_t>(src[i]) < in_cycles.size())
        latency = std::min<uint64_t>(latency, out_cycles[i] - in_cycles[src[i]]);
    return latency;
  }
  // The three regimes every stream testbench runs (both sides random, a mostly stalling
  // sink, a mostly idle source); queue(n) queues n images before each.
  template <typename Queue>
  void stall_regimes(Queue queue, int images_per_regime, uint64_t max_cycles_per_regime) {
    const double regimes[][2] = {{0.3, 0.3}, {0.0, 0.7}, {0.7, 0.0}};
    for (const auto& r : regimes) {
      queue(images_per_regime);
      feed(r[0], r[1], max_cycles_per_regime);
    }
  }
};

// Reports one line and returns the process exit code.
inline int finish(const char* name, uint64_t mismatches, uint64_t proto_errors, bool ok_extra,
                  const std::string& extra) {
  bool ok = mismatches == 0 && proto_errors == 0 && ok_extra;
  std::printf("%s %s: mismatches=%llu protocol_errors=%llu %s\n", ok ? "PASS" : "FAIL", name,
              static_cast<unsigned long long>(mismatches),
              static_cast<unsigned long long>(proto_errors), extra.c_str());
  return ok ? 0 : 1;
}

}  // namespace tb

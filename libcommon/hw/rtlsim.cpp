#include "shoal/hw/rtlsim.hpp"

#include <random>

#include "shoal/core/error.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/ops/rtl.hpp"

namespace shoal {

int64_t encode_element(double v, const DataType& dt) {
  if (!dt.is_integer()) fail("{} values have no stream encoding in shoal", dt.name());
  if (!dt.allowed(v)) fail("{} is not a value of datatype {}", v, dt.name());
  if (dt == DataType::bipolar()) return v > 0 ? 1 : 0;
  return static_cast<int64_t>(v);
}

double decode_element(int64_t bits, const DataType& dt) {
  if (dt == DataType::bipolar()) return (bits & 1) ? 1.0 : -1.0;
  int w = dt.bitwidth();
  uint64_t mask = w >= 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
  uint64_t u = static_cast<uint64_t>(bits) & mask;
  if (dt.is_signed() && w < 64 && (u >> (w - 1)) & 1) u |= ~mask;
  return static_cast<double>(static_cast<int64_t>(u));
}

std::string pack_beats(const std::vector<double>& values, const DataType& dt, int64_t per_beat,
                       int64_t beat_bits) {
  int bits = dt.bitwidth();
  if (per_beat * bits > beat_bits)
    fail("internal: {} {} elements do not fit a {}-bit beat", per_beat, dt.name(), beat_bits);
  if (per_beat < 1 || values.size() % static_cast<std::size_t>(per_beat))
    fail("internal: {} values do not fill beats of {}", values.size(), per_beat);
  std::string out;
  out.reserve(values.size() / static_cast<std::size_t>(per_beat) *
              static_cast<std::size_t>(beat_bits / 8));
  for (std::size_t b = 0; b < values.size(); b += static_cast<std::size_t>(per_beat)) {
    PackedWord word(beat_bits);
    for (int64_t e = 0; e < per_beat; ++e)
      word.put(e * bits, bits, encode_element(values[b + static_cast<std::size_t>(e)], dt));
    out += word.bytes();
  }
  return out;
}

std::vector<double> unpack_beats(std::string_view bytes, const DataType& dt, int64_t per_beat,
                                 int64_t beat_bits, int64_t count) {
  int bits = dt.bitwidth();
  std::size_t beat_bytes = static_cast<std::size_t>(beat_bits / 8);
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(count));
  for (std::size_t off = 0; static_cast<int64_t>(values.size()) < count; off += beat_bytes) {
    if (off + beat_bytes > bytes.size())
      fail("the stream ended after {} of {} values", values.size(), count);
    PackedWord word = PackedWord::from_bytes(bytes.substr(off, beat_bytes), beat_bits);
    for (int64_t e = 0; e < per_beat && static_cast<int64_t>(values.size()) < count; ++e)
      values.push_back(decode_element(word.get(e * bits, bits, false), dt));
  }
  return values;
}

int64_t StreamFormat::beats() const {
  int64_t b = 1;
  for (std::size_t i = 0; i + 1 < folded.size(); ++i) b *= folded[i];
  return b;
}

int64_t StreamFormat::values() const {
  return beats() * (folded.empty() ? 0 : folded.back());
}

StreamFormat input_format(const Model& m) {
  const auto& n = m.node(dataflow_chain(m).front());
  const HwOp* op = hw_op_of(n);
  return {op->input_datatype(n, 0), op->folded_input_shape(n, 0), op->instream_width_padded(n, 0)};
}

StreamFormat output_format(const Model& m) {
  const auto& n = m.node(dataflow_chain(m).back());
  const HwOp* op = hw_op_of(n);
  return {op->output_datatype(n), op->folded_output_shape(n), op->outstream_width_padded(n)};
}

SimDesign sim_design_of(const Model& m, bool trace) {
  StitchedIp ip = stitched_ip_of(m);
  SimDesign d;
  d.dir = ip.dir;
  for (const auto& s : ip.sources) d.sources.emplace_back(s);
  d.top = ip.top;
  d.in_bits = static_cast<int>(ip.in_bits);
  d.out_bits = static_cast<int>(ip.out_bits);
  d.monitors = ip.monitors;
  d.trace = trace;
  return d;
}

RtlsimRun rtlsim_run(const Model& m, const std::vector<Tensor>& samples,
                     const RtlsimOptions& options) {
  if (samples.empty()) fail("no samples to simulate");
  StreamFormat in = input_format(m), out = output_format(m);
  std::vector<double> values;
  values.reserve(samples.size() * static_cast<std::size_t>(in.values()));
  for (std::size_t s = 0; s < samples.size(); ++s) {
    if (samples[s].size() != in.values())
      fail("sample {} has {} values, the design takes {} per frame", s, samples[s].size(),
           in.values());
    for (int64_t i = 0; i < samples[s].size(); ++i) {
      double v = samples[s].get(i);
      // Checked here, where the sample is known; pack_beats would only name the value.
      if (!in.dt.allowed(v))
        fail("sample {}, element {}: {} is not a value of the input datatype {}", s, i, v,
             in.dt.name());
      values.push_back(v);
    }
  }
  SimDesign design = sim_design_of(m, !options.trace_file.empty());
  RtlsimRun run;
  run.binary = build_sim(design);
  SimStimulus stim;
  stim.input = pack_beats(values, in.dt, in.folded.back(), in.beat_bits);
  stim.output_beats = samples.size() * static_cast<std::size_t>(out.beats());
  stim.frame_output_beats = static_cast<std::size_t>(out.beats());
  stim.input_interval = options.input_interval;
  stim.input_frame_beats = static_cast<std::size_t>(in.beats());
  stim.frame_period = options.frame_period;
  stim.trace_file = options.trace_file;
  run.sim = run_sim(run.binary, design, stim);
  std::vector<double> got = unpack_beats(run.sim.output, out.dt, out.folded.back(), out.beat_bits,
                                         static_cast<int64_t>(samples.size()) * out.values());
  const std::string out_name = m.graph_output_names().at(0);
  Shape shape = m.static_shape(out_name);
  ElemType type = m.tensor_elem_type(out_name).value_or(ElemType::Float);
  for (std::size_t s = 0; s < samples.size(); ++s) {
    Tensor t(type, shape);
    if (t.size() != out.values())
      fail("the design sends {} values per frame, the model's output {} holds {}", out.values(),
           format_shape(shape), t.size());
    for (int64_t i = 0; i < t.size(); ++i)
      t.set(i, got[s * static_cast<std::size_t>(out.values()) + static_cast<std::size_t>(i)]);
    run.outputs.push_back(std::move(t));
  }
  return run;
}

std::vector<Tensor> random_samples(const Model& m, int64_t n, std::uint64_t seed) {
  const std::string in_name = m.graph_input_names().at(0);
  Shape shape = m.static_shape(in_name);
  DataType dt = input_format(m).dt;
  std::mt19937_64 rng(seed);
  std::vector<Tensor> samples;
  for (int64_t s = 0; s < n; ++s) {
    Tensor t(ElemType::Float, shape);
    for (int64_t i = 0; i < t.size(); ++i) {
      double v;
      if (dt == DataType::bipolar()) {
        v = (rng() & 1) ? 1.0 : -1.0;
      } else {
        auto lo = static_cast<int64_t>(dt.min()), hi = static_cast<int64_t>(dt.max());
        v = static_cast<double>(std::uniform_int_distribution<int64_t>(lo, hi)(rng));
      }
      t.set(i, v);
    }
    samples.push_back(std::move(t));
  }
  return samples;
}

nlohmann::ordered_json rtlsim_performance(const Model& m, int64_t n, std::uint64_t seed,
                                          RtlsimRun* keep) {
  if (n < 1) fail("the batch size must be at least 1, not {}", n);
  auto clk_text = m.metadata("clk_ns");
  if (!clk_text) fail("the stitched model records no clock period (clk_ns)");
  double clk_ns = std::stod(*clk_text);
  std::vector<Tensor> samples = random_samples(m, n, seed);
  RtlsimRun run = rtlsim_run(m, samples);
  StreamFormat in = input_format(m), out = output_format(m);
  double cycles = static_cast<double>(run.sim.cycles);
  double runtime_s = cycles * clk_ns * 1e-9;
  double in_bytes = static_cast<double>(n * in.values()) * in.dt.bitwidth() / 8.0;
  double out_bytes = static_cast<double>(n * out.values()) * out.dt.bitwidth() / 8.0;
  nlohmann::ordered_json j;
  j["cycles"] = run.sim.cycles;
  j["runtime[ms]"] = runtime_s * 1000;
  j["throughput[images/s]"] = static_cast<double>(n) / runtime_s;
  j["DRAM_in_bandwidth[Mb/s]"] = in_bytes * 1e-6 / runtime_s;
  j["DRAM_out_bandwidth[Mb/s]"] = out_bytes * 1e-6 / runtime_s;
  j["fclk[mhz]"] = 1 / (clk_ns * 0.001);
  j["N"] = n;
  j["latency_cycles"] = run.sim.latency_cycles;
  double steady = cycles - static_cast<double>(run.sim.latency_cycles);
  j["stable_throughput[images/s]"] = n > 1 && steady > 0
                                         ? static_cast<double>(n) / (steady * clk_ns * 1e-9)
                                         : static_cast<double>(n) / runtime_s;
  if (keep) *keep = std::move(run);
  return j;
}

}  // namespace shoal

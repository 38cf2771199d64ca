// Running data through a stitched design under Verilator (hardware.md §2 and §4): tensors
// packed into AXI-Stream beats as FINN packs them, frames streamed back to back, outputs
// unpacked; and FINN's rtlsim_performance.json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shoal/core/datatype.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"
#include "shoal/hw/stitch.hpp"
#include "shoal/hw/verilator_sim.hpp"

namespace shoal {

// One element as the hardware carries it (two's complement in dt's width; BIPOLAR 1 = +1;
// TERNARY as 2-bit two's complement). An Error names values dt does not allow.
int64_t encode_element(double v, const DataType& dt);
// The inverse, from the raw field bits.
double decode_element(int64_t bits, const DataType& dt);

// Beats of `per_beat` elements (element 0 in the LSBs), each `beat_bits` wide (a multiple
// of 8), as little-endian bytes: the TDATA words of hardware.md §2, in row-major order.
std::string pack_beats(const std::vector<double>& values, const DataType& dt, int64_t per_beat,
                       int64_t beat_bits);
std::vector<double> unpack_beats(std::string_view bytes, const DataType& dt, int64_t per_beat,
                                 int64_t beat_bits, int64_t count);

// What a frame looks like on one side of the stitched design.
struct StreamFormat {
  DataType dt;
  Shape folded;            // folded shape of one frame
  int64_t beat_bits = 0;   // padded TDATA width
  int64_t beats() const;   // per frame
  int64_t values() const;  // per frame
};
StreamFormat input_format(const Model& stitched);
StreamFormat output_format(const Model& stitched);

// The simulation of a stitched model's design (built, or taken from the cache).
SimDesign sim_design_of(const Model& stitched, bool trace = false);

struct RtlsimOptions {
  std::filesystem::path trace_file;  // FST waveform (builds a tracing variant)
  unsigned input_interval = 0;       // cycles between input beats (0: as fast as accepted)
  std::uint64_t frame_period = 0;    // cycles between the starts of input frames (0: none)
};
struct RtlsimRun {
  std::vector<Tensor> outputs;  // one per sample, in the model's output shape
  SimBinary binary;
  SimResult sim;
};
// Streams the samples (each in the stitched model's input shape) through the design, one
// frame each, back to back.
RtlsimRun rtlsim_run(const Model& stitched, const std::vector<Tensor>& samples,
                     const RtlsimOptions& options = {});

// Random samples of the model's input datatype (seeded).
std::vector<Tensor> random_samples(const Model& stitched, int64_t n, std::uint64_t seed);

// FINN's report/rtlsim_performance.json for n frames (hardware.md §4, estimates.md §2.7):
// cycles, runtime[ms], throughput[images/s], DRAM_in_bandwidth[Mb/s],
// DRAM_out_bandwidth[Mb/s], fclk[mhz], N, latency_cycles, stable_throughput[images/s].
nlohmann::ordered_json rtlsim_performance(const Model& stitched, int64_t n, std::uint64_t seed,
                                          RtlsimRun* run = nullptr);

}  // namespace shoal

// RTL generation support: packed words in FINN's bit layouts, $readmemh files, the text of
// the per-node Verilog wrappers, and where the hls/ module library is. The ops' own
// generate_rtl() (libcommon/ops) decide what goes into these.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace onnx {
class NodeProto;
}

namespace shoal {

class Tensor;
class Model;

// A bit vector of any width, filled field by field; field offsets count from the LSB.
class PackedWord {
 public:
  explicit PackedWord(int64_t bits);
  int64_t bits() const { return bits_; }
  // Stores the low `width` bits of `value` (two's complement for negative values).
  void put(int64_t offset, int width, int64_t value);
  // The field read back, sign-extended when `is_signed`.
  int64_t get(int64_t offset, int width, bool is_signed) const;
  // ceil(bits/4) hex digits, most significant first, as $readmemh and FINN's memblock files.
  std::string hex() const;
  // ceil(bits/8) bytes, least significant first (the order of a TDATA word in memory).
  std::string bytes() const;
  static PackedWord from_bytes(std::string_view bytes, int64_t bits);
  // A $readmemh line (hex digits, MSB first) read back into a word of `bits` bits.
  static PackedWord from_hex(std::string_view hex, int64_t bits);

 private:
  int64_t bits_;
  std::vector<uint64_t> words_;
};

// Width of the two's complement type that holds every integer in [lo, hi].
int signed_bits_for(int64_t lo, int64_t hi);
// Width of the unsigned type that holds every integer in [0, hi].
int unsigned_bits_for(int64_t hi);

// Thresholds as the hardware compares them: (channels, steps) integers, a single broadcast
// row tiled to every channel, each value rounded up (for integer x, x >= t iff x >= ceil t).
struct ThresholdMatrix {
  int64_t channels = 0, steps = 0;
  std::vector<int64_t> values;  // row-major (channel, step)
  int64_t min() const;
  int64_t max() const;
};
ThresholdMatrix hw_thresholds(const Tensor& thresholds, int64_t channels, const std::string& what);
// The threshold memory file of hls/README.md: channels/pe lines; line nf holds the thresholds
// of channels nf*pe + p, threshold k of lane p at bits (p*steps + k)*bits.
std::string threshold_memory_file(const ThresholdMatrix& t, int64_t pe, int bits);

// The search form of the thresholds (shoal_mvau / shoal_thresholding THRESH_SEARCH=1,
// hls/README.md): a pipelined binary search with search_stages(steps) stages. Stage j of
// lane p reads base + "_s<j>_p<ppp>.dat" (search_file_name), NF*2^j lines of `bits` bits;
// line nf*2^j + i holds T[nf*pe + p][i*2^(m-j) + 2^(m-1-j) - 1] (m stages), 0 where that
// index is beyond the last threshold (the hardware never passes such a probe).
int search_stages(int64_t steps);
std::string search_file_name(const std::string& base, int stage, int64_t lane);
// (file name, contents) of every stage file; the thresholds must be ascending per channel.
std::vector<std::pair<std::string, std::string>> threshold_search_files(const ThresholdMatrix& t,
                                                                        int64_t pe, int bits,
                                                                        const std::string& base);
// Fails with "WHAT: the thresholds of channel C are not ascending ..." unless every
// channel's thresholds are ascending (equal neighbours allowed).
void check_ascending(const ThresholdMatrix& t, const std::string& what);

// ipgen --thresholds: which threshold implementation the nodes with thresholds get
// (StreamingFCLayer_Batch with an activation, Thresholding_Batch). The choice is recorded
// in the node attribute "threshold_impl" ("parallel" or "search").
enum class ThresholdImpl { Parallel, Search };
ThresholdImpl parse_threshold_impl(const std::string& name);  // fails on other names
// Whether the node has thresholds in hardware (see above), and those thresholds.
bool has_hw_thresholds(const onnx::NodeProto& n);
ThresholdMatrix node_hw_thresholds(const Model& m, const onnx::NodeProto& n);
// Checks (search: ascending thresholds, else fails naming node and channel) and records the
// choice on every node with thresholds. Writes nothing else.
void set_threshold_impl(Model& m, ThresholdImpl impl);
// Turns the IP that generate_ip wrote into ip_dir/<node>/ into the search form for every
// node whose threshold_impl is "search": the wrapper's instance gets THRESH_SEARCH(1) and
// THRESH_FILE = the base name of the stage files, which replace the parallel threshold file.
// Idempotent (an instance that already has THRESH_SEARCH is left alone).
void apply_threshold_impl(const Model& m, const std::filesystem::path& ip_dir);

// What ipgen wrote for one hardware node, all names relative to the node's directory.
struct RtlModule {
  std::string top;                      // the wrapper module, named after the node
  std::vector<std::string> sources;     // generated Verilog files
  std::vector<std::string> data_files;  // $readmemh files
  std::vector<std::string> library;     // hls/ modules the wrapper instantiates
};

// The hls/ module library: $SHOAL_HLS_DIR, else hls/ of the source tree the tools were
// built from, else share/shoal/hls of an installation.
std::filesystem::path hls_library_dir();

// The opening of a layer wrapper: a comment block, `module NAME (` and the clock, reset and
// the in0_V/out_V AXI-Stream ports with the given (padded) TDATA widths, followed by
// `extra_ports` (each a complete "input wire ..." line without a trailing comma).
std::string wrapper_header(const std::string& module, const std::vector<std::string>& comment,
                           int64_t in_bits, int64_t out_bits,
                           const std::vector<std::string>& extra_ports = {});

// A Verilog expression that takes `lanes` fields of `from_bits` from `signal` (lane 0 in the
// LSBs), keeps the low `to_bits` of each and zero-pads the result to `total_bits`.
std::string repack_lanes(const std::string& signal, int64_t lanes, int from_bits, int to_bits,
                         int64_t total_bits);

// The end of a wrapper begun with wrapper_header().
std::string wrapper_footer();

// The part of a layer wrapper between its ports: the hls/ module `module` instantiated as
// `instance` with the parameter list `params` (the text inside `#( )`, line breaks
// included), clock and reset, in0_V wired through (its TDATA cut to `lanes` x `bits`) and
// out_V's `lanes` fields of `bits` zero-padded to `out_total_bits`. For the layers whose
// module has just these two streams and passes elements through unchanged.
std::string stream_instance(const std::string& module, const std::string& params,
                            const std::string& instance, int64_t lanes, int bits,
                            int64_t out_total_bits);

// A Verilog string literal for a file name (for INIT_FILE-style parameters).
std::string verilog_string(const std::string& s);

// Verilog's name for an integer parameter value (negative values written as -N).
std::string verilog_int(int64_t v);

}  // namespace shoal

#include "shoal/ops/rtl.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/process.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal {
namespace fs = std::filesystem;

PackedWord::PackedWord(int64_t bits) : bits_(bits), words_((bits + 63) / 64 + 1, 0) {
  if (bits < 1) fail("internal: a packed word needs at least one bit, not {}", bits);
}

void PackedWord::put(int64_t offset, int width, int64_t value) {
  if (offset < 0 || width < 1 || width > 64 || offset + width > bits_)
    fail("internal: field [{}, {}) outside a {}-bit word", offset, offset + width, bits_);
  uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  uint64_t v = static_cast<uint64_t>(value) & mask;
  std::size_t w = static_cast<std::size_t>(offset / 64);
  int s = static_cast<int>(offset % 64);
  words_[w] = (words_[w] & ~(mask << s)) | (v << s);
  if (s + width > 64) {  // the field straddles two words (then s > 0)
    uint64_t high = (uint64_t{1} << (s + width - 64)) - 1;
    words_[w + 1] = (words_[w + 1] & ~high) | (v >> (64 - s));
  }
}

int64_t PackedWord::get(int64_t offset, int width, bool is_signed) const {
  if (offset < 0 || width < 1 || width > 64 || offset + width > bits_)
    fail("internal: field [{}, {}) outside a {}-bit word", offset, offset + width, bits_);
  std::size_t w = static_cast<std::size_t>(offset / 64);
  int s = static_cast<int>(offset % 64);
  uint64_t v = words_[w] >> s;
  if (s && s + width > 64) v |= words_[w + 1] << (64 - s);
  if (width < 64) {
    v &= (uint64_t{1} << width) - 1;
    if (is_signed && (v >> (width - 1)) & 1) v |= ~uint64_t{0} << width;
  }
  return static_cast<int64_t>(v);
}

std::string PackedWord::hex() const {
  int64_t digits = (bits_ + 3) / 4;
  std::string s(static_cast<std::size_t>(digits), '0');
  for (int64_t d = 0; d < digits; ++d) {
    int64_t off = d * 4;
    int width = static_cast<int>(std::min<int64_t>(4, bits_ - off));
    s[static_cast<std::size_t>(digits - 1 - d)] = "0123456789abcdef"[get(off, width, false)];
  }
  return s;
}

std::string PackedWord::bytes() const {
  int64_t n = (bits_ + 7) / 8;
  std::string s(static_cast<std::size_t>(n), '\0');
  for (int64_t b = 0; b < n; ++b) {
    int width = static_cast<int>(std::min<int64_t>(8, bits_ - b * 8));
    s[static_cast<std::size_t>(b)] = static_cast<char>(get(b * 8, width, false));
  }
  return s;
}

PackedWord PackedWord::from_bytes(std::string_view bytes, int64_t bits) {
  PackedWord w(bits);
  for (int64_t b = 0; b * 8 < bits && b < static_cast<int64_t>(bytes.size()); ++b) {
    int width = static_cast<int>(std::min<int64_t>(8, bits - b * 8));
    w.put(b * 8, width, static_cast<unsigned char>(bytes[static_cast<std::size_t>(b)]));
  }
  return w;
}

PackedWord PackedWord::from_hex(std::string_view hex, int64_t bits) {
  PackedWord w(bits);
  int64_t n = static_cast<int64_t>(hex.size());
  for (int64_t d = 0; d < n && d * 4 < bits; ++d) {
    char c = hex[static_cast<std::size_t>(n - 1 - d)];
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0) fail("'{}' is not a hex word", hex);
    int width = static_cast<int>(std::min<int64_t>(4, bits - d * 4));
    w.put(d * 4, width, v);
  }
  return w;
}

int signed_bits_for(int64_t lo, int64_t hi) {
  int bits = 1;
  while (bits < 64 && !(lo >= -(int64_t{1} << (bits - 1)) && hi <= (int64_t{1} << (bits - 1)) - 1))
    ++bits;
  return bits;
}

int unsigned_bits_for(int64_t hi) {
  int bits = 1;
  while (bits < 63 && hi > (int64_t{1} << bits) - 1) ++bits;
  return bits;
}

fs::path hls_library_dir() {
  if (const char* env = std::getenv("SHOAL_HLS_DIR"); env && *env) return env;
  fs::path exe = executable_dir();
  for (fs::path candidate :
       {exe / ".." / ".." / "hls", exe / ".." / ".." / "share" / "shoal" / "hls"})
    if (fs::exists(candidate / "shoal_mvau.sv")) return fs::weakly_canonical(candidate);
  fail("cannot find the hls/ module library beside {} (set SHOAL_HLS_DIR)", exe.string());
}

std::string wrapper_header(const std::string& module, const std::vector<std::string>& comment,
                           int64_t in_bits, int64_t out_bits,
                           const std::vector<std::string>& extra_ports) {
  std::string s;
  for (const auto& line : comment) s += "// " + line + "\n";
  // Undeclared names are errors, not implicit 1-bit wires (ended in wrapper_footer()).
  s += "`default_nettype none\n";
  // the padding bits of in0_V_TDATA are unused by design
  s += "// verilator lint_off UNUSEDSIGNAL\n";
  s += fmt::format(
      "module {} (\n"
      "  input  wire ap_clk,\n"
      "  input  wire ap_rst_n,\n"
      "  input  wire [{}:0] in0_V_TDATA,\n"
      "  input  wire in0_V_TVALID,\n"
      "  output wire in0_V_TREADY,\n"
      "  output wire [{}:0] out_V_TDATA,\n"
      "  output wire out_V_TVALID,\n"
      "  input  wire out_V_TREADY",
      module, in_bits - 1, out_bits - 1);
  for (const auto& p : extra_ports) s += ",\n  " + p;
  s += "\n);\n// verilator lint_on UNUSEDSIGNAL\n";
  return s;
}

std::string repack_lanes(const std::string& signal, int64_t lanes, int from_bits, int to_bits,
                         int64_t total_bits) {
  if (to_bits > from_bits)
    fail("internal: cannot widen lanes from {} to {} bits", from_bits, to_bits);
  std::vector<std::string> parts;
  if (total_bits > lanes * to_bits)
    parts.push_back(fmt::format("{}'d0", total_bits - lanes * to_bits));
  if (from_bits == to_bits) {
    parts.push_back(signal);
  } else {
    for (int64_t p = lanes - 1; p >= 0; --p)
      parts.push_back(fmt::format("{}[{}:{}]", signal, p * from_bits + to_bits - 1, p * from_bits));
  }
  if (parts.size() == 1) return parts[0];
  std::string s = "{";
  for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
  return s + "}";
}

std::string wrapper_footer() {
  return "endmodule\n`default_nettype wire\n";
}

std::string stream_instance(const std::string& module, const std::string& params,
                            const std::string& instance, int64_t lanes, int bits,
                            int64_t out_total_bits) {
  const int64_t msb = lanes * bits - 1;
  const std::string out = instance + "_out";
  // The padding bits of in0_V_TDATA are not read.
  return "  // verilator lint_off UNUSED\n" +
         fmt::format(
             "  wire [{}:0] {};\n"
             "  {} #({}) {} (\n"
             "    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),\n"
             "    .in0_V_TDATA(in0_V_TDATA[{}:0]), .in0_V_TVALID(in0_V_TVALID), "
             ".in0_V_TREADY(in0_V_TREADY),\n"
             "    .out_V_TDATA({}), .out_V_TVALID(out_V_TVALID), .out_V_TREADY(out_V_TREADY));\n",
             msb, out, module, params, instance, msb, out) +
         "  // verilator lint_on UNUSED\n" +
         "  assign out_V_TDATA = " + repack_lanes(out, lanes, bits, bits, out_total_bits) + ";\n";
}

std::string verilog_string(const std::string& s) {
  for (char c : s)
    if (c == '"' || c == '\\' || c == '\n') fail("file name '{}' cannot be a Verilog string", s);
  return "\"" + s + "\"";
}

std::string verilog_int(int64_t v) {
  return std::to_string(v);
}

int64_t ThresholdMatrix::min() const {
  return values.empty() ? 0 : *std::min_element(values.begin(), values.end());
}

int64_t ThresholdMatrix::max() const {
  return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

ThresholdMatrix hw_thresholds(const Tensor& thresholds, int64_t channels, const std::string& what) {
  if (thresholds.rank() != 2 || (thresholds.shape()[0] != channels && thresholds.shape()[0] != 1))
    fail("{}: thresholds of shape {} do not fit {} channels", what,
         format_shape(thresholds.shape()), channels);
  ThresholdMatrix t;
  t.channels = channels;
  t.steps = thresholds.shape()[1];
  bool broadcast = thresholds.shape()[0] == 1;
  t.values.reserve(static_cast<std::size_t>(channels * t.steps));
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t k = 0; k < t.steps; ++k) {
      double v = thresholds.get((broadcast ? 0 : c) * t.steps + k);
      if (!std::isfinite(v) || std::fabs(v) > 9.0e15)
        fail("{}: threshold {} of channel {} is {}, not a hardware integer", what, k, c, v);
      t.values.push_back(static_cast<int64_t>(std::ceil(v)));
    }
  return t;
}

std::string threshold_memory_file(const ThresholdMatrix& t, int64_t pe, int bits) {
  std::string out;
  for (int64_t nf = 0; nf < t.channels / pe; ++nf) {
    PackedWord line(std::max<int64_t>(1, pe * t.steps * bits));
    for (int64_t p = 0; p < pe; ++p)
      for (int64_t k = 0; k < t.steps; ++k)
        line.put((p * t.steps + k) * bits, bits,
                 t.values[static_cast<std::size_t>((nf * pe + p) * t.steps + k)]);
    out += line.hex() + "\n";
  }
  return out;
}

int search_stages(int64_t steps) {
  int m = 0;
  while ((int64_t{1} << m) < steps + 1) ++m;
  return m;
}

std::string search_file_name(const std::string& base, int stage, int64_t lane) {
  // the RTL builds the name from one stage digit and three lane digits
  if (stage < 0 || stage > 9 || lane < 0 || lane > 999)
    fail("internal: no search threshold file for stage {} of lane {}", stage, lane);
  return fmt::format("{}_s{}_p{:03}.dat", base, stage, lane);
}

std::vector<std::pair<std::string, std::string>> threshold_search_files(const ThresholdMatrix& t,
                                                                        int64_t pe, int bits,
                                                                        const std::string& base) {
  int m = search_stages(t.steps);
  std::vector<std::pair<std::string, std::string>> files;
  for (int j = 0; j < m; ++j)
    for (int64_t p = 0; p < pe; ++p) {
      std::string text;
      for (int64_t nf = 0; nf < t.channels / pe; ++nf)
        for (int64_t i = 0; i < (int64_t{1} << j); ++i) {
          int64_t k = (i << (m - j)) + (int64_t{1} << (m - 1 - j)) - 1;
          PackedWord word(bits);
          if (k < t.steps)
            word.put(0, bits, t.values[static_cast<std::size_t>((nf * pe + p) * t.steps + k)]);
          text += word.hex() + "\n";
        }
      files.emplace_back(search_file_name(base, j, p), std::move(text));
    }
  return files;
}

void check_ascending(const ThresholdMatrix& t, const std::string& what) {
  for (int64_t c = 0; c < t.channels; ++c)
    for (int64_t k = 0; k + 1 < t.steps; ++k) {
      int64_t a = t.values[static_cast<std::size_t>(c * t.steps + k)];
      int64_t b = t.values[static_cast<std::size_t>(c * t.steps + k + 1)];
      if (b < a)
        fail(
            "{}: the thresholds of channel {} are not ascending (threshold {} is {}, threshold {} "
            "is {}); the search form needs them sorted",
            what, c, k, a, k + 1, b);
    }
}

ThresholdImpl parse_threshold_impl(const std::string& name) {
  if (name == "parallel") return ThresholdImpl::Parallel;
  if (name == "search") return ThresholdImpl::Search;
  fail("threshold implementation '{}' is neither parallel nor search", name);
}

bool has_hw_thresholds(const onnx::NodeProto& n) {
  if (n.op_type() == "Thresholding_Batch") return true;
  return n.op_type() == "StreamingFCLayer_Batch" && attr_int(n, "noActivation", 0) == 0;
}

ThresholdMatrix node_hw_thresholds(const Model& m, const onnx::NodeProto& n) {
  bool mvau = n.op_type() == "StreamingFCLayer_Batch";
  int index = mvau ? 2 : 1;
  if (n.input_size() <= index) fail("{}: no threshold input", describe(n));
  auto T = m.initializer(n.input(index));
  if (!T) fail("{}: the thresholds '{}' are not constant", describe(n), n.input(index));
  ThresholdMatrix t = hw_thresholds(*T, attr_int(n, mvau ? "MH" : "NumChannels", 0), describe(n));
  if (!mvau && attr_string(n, "inputDataType", "") == "BIPOLAR") {
    // The stream carries a BIPOLAR x as the bit b = (x + 1) / 2, so x >= t iff
    // b >= ceil((t + 1) / 2): the thresholds move into the bit domain.
    for (auto& v : t.values) v = (v + 1) >= 0 ? (v + 2) / 2 : -((-(v + 1)) / 2);
  }
  return t;
}

void set_threshold_impl(Model& m, ThresholdImpl impl) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& n = m.node(i);
    if (has_hw_thresholds(n) && impl == ThresholdImpl::Search)
      check_ascending(node_hw_thresholds(m, n), describe(n));
  }
  for (int i = 0; i < m.node_count(); ++i) {
    auto& n = m.node(i);
    if (!has_hw_thresholds(n)) continue;
    if (impl == ThresholdImpl::Search)
      set_attr(n, "threshold_impl", "search");
    else if (has_attr(n, "threshold_impl"))
      set_attr(n, "threshold_impl", "parallel");
  }
}

namespace {

// The value of `.NAME(value)` in a generated instance.
std::string instance_param(const std::string& text, const std::string& name,
                           const std::string& file) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex("\\." + name + "\\(([^)]*)\\)")))
    fail("{}: the wrapper sets no {}", file, name);
  return match[1].str();
}

}  // namespace

void apply_threshold_impl(const Model& m, const fs::path& ip_dir) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& n = m.node(i);
    if (!has_hw_thresholds(n) || attr_string(n, "threshold_impl", "parallel") != "search") continue;
    fs::path dir = ip_dir / n.name();
    fs::path wrapper = dir / (n.name() + ".v");
    std::string text = read_file(wrapper.string());
    if (text.find(".THRESH_SEARCH(") != std::string::npos) continue;  // done already
    std::string file_arg = instance_param(text, "THRESH_FILE", wrapper.string());
    int64_t steps = std::stoll(instance_param(text, "NUM_STEPS", wrapper.string()));
    int64_t pe = std::stoll(instance_param(text, "PE", wrapper.string()));
    int bits = std::stoi(instance_param(text, "T_BITS", wrapper.string()));
    if (steps == 0 || file_arg.size() < 2) continue;
    std::string tfile = file_arg.substr(1, file_arg.size() - 2);
    if (search_stages(steps) > 10 || pe > 1000)
      fail("{}: the search form supports up to 1023 thresholds and PE 1000, not {} and {}",
           describe(n), steps, pe);
    // The parallel file (NF lines of PE*steps*bits) re-laid out as the stage files.
    ThresholdMatrix t;
    t.steps = steps;
    std::istringstream lines(read_file((dir / tfile).string()));
    std::string line;
    while (lines >> line) {
      PackedWord word = PackedWord::from_hex(line, pe * steps * bits);
      for (int64_t p = 0; p < pe; ++p)
        for (int64_t k = 0; k < steps; ++k)
          t.values.push_back(word.get((p * steps + k) * bits, bits, false));
      t.channels += pe;
    }
    std::string base = tfile.size() > 4 && tfile.substr(tfile.size() - 4) == ".dat"
                           ? tfile.substr(0, tfile.size() - 4)
                           : tfile;
    for (const auto& [name, contents] : threshold_search_files(t, pe, bits, base))
      write_file_atomic((dir / name).string(), contents);
    std::string from = ".THRESH_FILE(" + file_arg + ")";
    std::string to = ".THRESH_SEARCH(1), .THRESH_FILE(" + verilog_string(base) + ")";
    text.replace(text.find(from), from.size(), to);
    std::size_t eol = text.find('\n');
    text.insert(eol + 1, fmt::format("// Thresholds: pipelined binary search, {} stages "
                                     "(threshold_impl search).\n",
                                     search_stages(steps)));
    write_file_atomic(wrapper.string(), text);
    fs::remove(dir / tfile);
  }
}

}  // namespace shoal

#include "shoal/rtl.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "shoal/error.hpp"
#include "shoal/process.hpp"
#include "shoal/tensor.hpp"

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

}  // namespace shoal

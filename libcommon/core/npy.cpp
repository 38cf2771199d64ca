#include "shoal/core/npy.hpp"

#include <cctype>
#include <cstring>

#include "shoal/core/io.hpp"
#include "shoal/core/limits.hpp"

namespace shoal {
namespace {

struct Header {
  std::string descr;
  bool fortran = false;
  Shape shape;
};

// Parses the Python dict literal numpy writes: {'descr': '<f4', 'fortran_order': False,
// 'shape': (16, 14), }
Header parse_header(std::string_view h, const std::string& what) {
  Header out;
  bool have_descr = false, have_order = false, have_shape = false;
  auto bad = [&](const char* why) { fail("{}: malformed .npy header ({})", what, why); };
  auto find_value = [&](std::string_view key) -> std::size_t {
    std::size_t k = h.find(key);
    if (k == std::string_view::npos) return std::string_view::npos;
    std::size_t colon = h.find(':', k + key.size());
    if (colon == std::string_view::npos) bad("missing ':'");
    std::size_t v = colon + 1;
    while (v < h.size() && std::isspace(static_cast<unsigned char>(h[v]))) ++v;
    return v;
  };
  if (std::size_t v = find_value("'descr'"); v != std::string_view::npos) {
    if (v >= h.size() || (h[v] != '\'' && h[v] != '"')) bad("descr is not a string");
    char q = h[v];
    std::size_t end = h.find(q, v + 1);
    if (end == std::string_view::npos) bad("unterminated descr");
    out.descr = std::string(h.substr(v + 1, end - v - 1));
    have_descr = true;
  }
  if (std::size_t v = find_value("'fortran_order'"); v != std::string_view::npos) {
    if (h.substr(v, 4) == "True")
      out.fortran = true;
    else if (h.substr(v, 5) == "False")
      out.fortran = false;
    else
      bad("fortran_order is not True or False");
    have_order = true;
  }
  if (std::size_t v = find_value("'shape'"); v != std::string_view::npos) {
    if (v >= h.size() || h[v] != '(') bad("shape is not a tuple");
    std::size_t end = h.find(')', v);
    if (end == std::string_view::npos) bad("unterminated shape");
    std::string_view body = h.substr(v + 1, end - v - 1);
    std::size_t i = 0;
    while (i < body.size()) {
      while (i < body.size() &&
             (std::isspace(static_cast<unsigned char>(body[i])) || body[i] == ','))
        ++i;
      if (i >= body.size()) break;
      if (!std::isdigit(static_cast<unsigned char>(body[i]))) bad("shape holds a non-integer");
      int64_t d = 0;
      while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) {
        d = d * 10 + (body[i] - '0');
        if (d > (int64_t{1} << 40)) bad("dimension too large");
        ++i;
      }
      if (i < body.size() && body[i] == 'L') ++i;  // Python 2 longs
      out.shape.push_back(d);
    }
    have_shape = true;
  }
  if (!have_descr || !have_order || !have_shape) bad("missing descr, fortran_order or shape");
  return out;
}

ElemType elem_type_from_descr(const std::string& d, const std::string& what) {
  if (d.size() < 3) fail("{}: unsupported .npy dtype '{}'", what, d);
  char order = d[0];
  std::string code = d.substr(1);
  bool single = code == "i1" || code == "u1" || code == "b1";
  if (order == '>' && !single) fail("{}: big-endian .npy data ('{}') is not supported", what, d);
  if (order != '<' && order != '|' && order != '=' && !(order == '>' && single))
    fail("{}: unsupported .npy dtype '{}'", what, d);
  if (code == "f4") return ElemType::Float;
  if (code == "f8") return ElemType::Double;
  if (code == "i1") return ElemType::Int8;
  if (code == "i2") return ElemType::Int16;
  if (code == "i4") return ElemType::Int32;
  if (code == "i8") return ElemType::Int64;
  if (code == "u1") return ElemType::UInt8;
  if (code == "u2") return ElemType::UInt16;
  if (code == "u4") return ElemType::UInt32;
  if (code == "u8") return ElemType::UInt64;
  if (code == "b1") return ElemType::Bool;
  fail("{}: unsupported .npy dtype '{}'", what, d);
}

const char* descr_of(ElemType t) {
  switch (t) {
    case ElemType::Float:
      return "<f4";
    case ElemType::Double:
      return "<f8";
    case ElemType::Int8:
      return "|i1";
    case ElemType::Int16:
      return "<i2";
    case ElemType::Int32:
      return "<i4";
    case ElemType::Int64:
      return "<i8";
    case ElemType::UInt8:
      return "|u1";
    case ElemType::UInt16:
      return "<u2";
    case ElemType::UInt32:
      return "<u4";
    case ElemType::UInt64:
      return "<u8";
    case ElemType::Bool:
      return "|b1";
  }
  return "<f4";
}

}  // namespace

Tensor parse_npy(std::string_view bytes, const std::string& what) {
  static constexpr char kMagic[] = "\x93NUMPY";
  if (bytes.empty()) fail("{}: empty file, not an .npy array", what);
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
    fail("{}: not an .npy file (bad magic)", what);
  unsigned major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail("{}: truncated .npy header", what);
    header_len = 0;
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    fail("{}: unsupported .npy format version {}", what, major);
  }
  if (bytes.size() < offset + header_len) fail("{}: truncated .npy header", what);
  Header h = parse_header(bytes.substr(offset, header_len), what);
  if (h.fortran) fail("{}: Fortran-order .npy arrays are not supported (C order only)", what);
  ElemType type = elem_type_from_descr(h.descr, what);
  checked_element_count(h.shape, type, what + ": array");
  Tensor t(type, h.shape);
  std::size_t want = t.bytes().size();
  std::size_t have = bytes.size() - offset - header_len;
  if (have < want)
    fail("{}: truncated .npy data ({} of {} bytes for shape {})", what, have, want,
         format_shape(h.shape));
  if (have > want) fail("{}: {} unexpected bytes after the .npy data", what, have - want);
  if (want) std::memcpy(t.bytes().data(), bytes.data() + offset + header_len, want);
  if (type == ElemType::Bool)
    for (auto& b : t.bytes()) b = b ? 1 : 0;
  return t;
}

Tensor read_npy(const std::string& path) {
  return parse_npy(read_file(path), path == "-" ? "standard input" : path);
}

std::string serialize_npy(const Tensor& t) {
  std::string shape = "(";
  for (std::size_t i = 0; i < t.shape().size(); ++i) {
    shape += std::to_string(t.shape()[i]);
    shape += (t.shape().size() == 1 || i + 1 < t.shape().size()) ? "," : "";
    if (i + 1 < t.shape().size()) shape += " ";
  }
  shape += ")";
  std::string dict = std::string("{'descr': '") + descr_of(t.type()) +
                     "', 'fortran_order': False, 'shape': " + shape + ", }";
  // numpy pads the header with spaces so the data starts at a multiple of 64 bytes.
  std::size_t total = 10 + dict.size() + 1;
  std::size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>((dict.size() >> 8) & 0xff);
  out += dict;
  out.append(reinterpret_cast<const char*>(t.bytes().data()), t.bytes().size());
  return out;
}

void write_npy(const std::string& path, const Tensor& t) {
  write_file_atomic(path, serialize_npy(t));
}

}  // namespace shoal

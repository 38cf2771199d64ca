#include "shoal/targets/pynq_driver.hpp"

#include <fmt/format.h>

#include "shoal/core/error.hpp"
#include "shoal/hw/rtlsim.hpp"
#include "shoal/hw/stitch.hpp"

namespace shoal {

int64_t DriverStream::beats() const {
  int64_t b = 1;
  for (std::size_t i = 0; i + 1 < folded.size(); ++i) b *= folded[i];
  return b;
}

namespace {

DriverStream stream_of(const StreamFormat& f, Shape normal, int64_t port_bits, const char* side,
                       const char* port) {
  if (!f.dt.is_integer())
    fail("the {} datatype {} has no stream packing in shoal (integer types only)", side,
         f.dt.name());
  if (f.folded.empty()) fail("internal: the {} has an empty folded shape", side);
  DriverStream s;
  s.dt = f.dt;
  s.normal = std::move(normal);
  s.folded = f.folded;
  s.packed = f.folded;
  s.packed.back() = (f.folded.back() * f.dt.bitwidth() + 7) / 8;
  s.beat_bits = s.packed.back() * 8;
  // The driver packs beats of ceil(E*b/8) bytes; the DMA moves port-width words. They must
  // agree, or every buffer would be misaligned on the board.
  if (s.beat_bits != f.beat_bits || s.beat_bits != port_bits)
    fail("internal: the {} beat is {} bits by its folded shape, {} by the layer, {} at {}", side,
         s.beat_bits, f.beat_bits, port_bits, port);
  return s;
}

}  // namespace

DriverIo driver_io(const Model& m) {
  StitchedIp ip = stitched_ip_of(m);
  DriverIo io;
  io.in = stream_of(input_format(m), m.static_shape(m.graph_input_names().at(0)), ip.in_bits,
                    "input", "s_axis_0");
  io.out = stream_of(output_format(m), m.static_shape(m.graph_output_names().at(0)), ip.out_bits,
                     "output", "m_axis_0");
  return io;
}

std::string python_tuple(const Shape& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

std::string python_datatype(const DataType& dt) {
  return fmt::format("DataType['{}']", dt.name());
}

std::string python_float(double v) {
  std::string s = fmt::format("{}", v);
  // fmt prints 100.0 as "100", which Python would read as an int.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string io_shape_dict_entries(const DriverIo& io) {
  std::string s;
  auto entry = [&s](const char* key, const std::string& value, const char* comment = nullptr) {
    if (comment) s += fmt::format("    # {}\n", comment);
    s += fmt::format("    \"{}\": {},\n", key, value);
  };
  entry("idt", "[" + python_datatype(io.in.dt) + "]", "FINN DataType of each input and output");
  entry("odt", "[" + python_datatype(io.out.dt) + "]");
  entry("ishape_normal", "[" + python_tuple(io.in.normal) + "]",
        "shapes of the graph's input and output");
  entry("oshape_normal", "[" + python_tuple(io.out.normal) + "]");
  entry("ishape_folded", "[" + python_tuple(io.in.folded) + "]",
        "the first and last layer's folded shapes: one beat per innermost vector");
  entry("oshape_folded", "[" + python_tuple(io.out.folded) + "]");
  entry("ishape_packed", "[" + python_tuple(io.in.packed) + "]",
        "the folded shapes with each beat in bytes: the DMA buffers' shapes");
  entry("oshape_packed", "[" + python_tuple(io.out.packed) + "]");
  entry("input_dma_name", "['idma0']", "the shell's DMA instances");
  entry("output_dma_name", "['odma0']");
  // shoal keeps every weight in the fabric: no weight DMAs.
  entry("number_of_external_weights", "0");
  entry("num_inputs", "1");
  entry("num_outputs", "1");
  return s;
}

}  // namespace shoal

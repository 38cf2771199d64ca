// What FINN's generated PYNQ driver knows about a stitched design (hardware.md §7):
// io_shape_dict, the datatypes and shapes of its input and output streams, and their
// spelling as Python literals.
#pragma once

#include <string>

#include "shoal/core/datatype.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal {

// One side of the accelerator as the driver sees it.
struct DriverStream {
  DataType dt;
  Shape normal;           // the graph input's / output's shape (batch dimension 1)
  Shape folded;           // the first / last layer's folded shape
  Shape packed;           // folded, its last dimension in bytes: ceil(last * bits / 8)
  int64_t beat_bits = 0;  // TDATA width: packed.back() * 8
  int64_t per_beat() const { return folded.back(); }
  int64_t beat_bytes() const { return beat_bits / 8; }
  int64_t beats() const;  // per frame
  int64_t frame_bytes() const { return beats() * beat_bytes(); }
};

struct DriverIo {
  DriverStream in, out;
};

// From a stitched model (after `stitch`): an Error when it records no stitched design, when
// a stream's datatype has no packing (FIXED, FLOAT32), or when the stitched ports' widths
// disagree with the folded shapes.
DriverIo driver_io(const Model& stitched);

// Python literals as FINN's driver writes them.
std::string python_tuple(const Shape& shape);     // (1, 16, 49); (5,)
std::string python_datatype(const DataType& dt);  // DataType['UINT8']
std::string python_float(double v);               // 100.0, 333.3333333333333

// The entries of io_shape_dict (FINN v0.7+ form: every value a list over the streams), one
// per line, indented by four spaces, without the braces.
std::string io_shape_dict_entries(const DriverIo& io);

}  // namespace shoal

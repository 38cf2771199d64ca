// Limits on what an input may ask of the machine. A hostile or broken model, array or config
// gets a one-line error naming what is too large, instead of exhausting memory, the stack or
// the CPU, or overflowing int64 arithmetic.
#pragma once

#include <cstdint>
#include <string_view>

#include "shoal/core/tensor.hpp"

namespace shoal {

// The largest tensor a tool allocates, in bytes (initializers, .npy arrays, inferred and
// computed tensors). $SHOAL_MAX_TENSOR_BYTES when set, else 1 GiB: far above any one sample
// of a FINN network and half the most a protobuf (so any ONNX initializer) can hold. An op
// may take a few times its output's size besides (broadcast index arrays), so the machine
// needs several times the limit in memory.
int64_t max_tensor_bytes();
// Overrides the limit for the rest of the process (tests, fuzz targets).
void set_max_tensor_bytes(int64_t bytes);

// The number of elements of a tensor of `shape` and `type`. An Error starting with `what`
// (e.g. "tensor 'W'") when a dimension is negative, the count overflows int64 or the tensor
// would take more than max_tensor_bytes().
int64_t checked_element_count(const Shape& shape, ElemType type, std::string_view what);

// a * b and a + b, or an Error starting with `what` when the result overflows int64.
int64_t checked_mul(int64_t a, int64_t b, std::string_view what);
int64_t checked_add(int64_t a, int64_t b, std::string_view what);

// The most values a list attribute (ints, floats, strings, tensors, graphs) may hold and the
// longest string attribute: FINN's attributes are short lists and names; weights travel as
// initializers.
inline constexpr int64_t kMaxAttributeValues = int64_t{1} << 20;
inline constexpr int64_t kMaxAttributeBytes = int64_t{1} << 20;
// How deep graph attributes (If/Loop/Scan bodies) may nest inside a model. shoal executes no
// control-flow op; the limit keeps every walk over a model shallow.
inline constexpr int kMaxGraphNesting = 16;
// How deep a JSON document (configs, metadata) may nest: FINN's configs nest 3 levels.
inline constexpr int kMaxJsonDepth = 64;
// How deep StreamingDataflowPartition children may nest: FINN makes one level; a child that
// names its parent (or itself) would otherwise recurse until the stack overflows.
inline constexpr int kMaxPartitionNesting = 4;

}  // namespace shoal

// The limits that keep a hostile or broken input from taking the machine down
// (shoal/core/limits.hpp): each is one Error naming what is too large.
#include <gtest/gtest.h>

#include "shoal/core/error.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/core/json.hpp"
#include "shoal/core/limits.hpp"
#include "shoal/core/npy.hpp"
#include "shoal/ops/hw_op.hpp"
#include "test_util.hpp"

using namespace shoal;

namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Restores the process-wide tensor limit when a test that lowers it ends.
struct TensorLimit {
  explicit TensorLimit(int64_t bytes) : saved(max_tensor_bytes()) { set_max_tensor_bytes(bytes); }
  ~TensorLimit() { set_max_tensor_bytes(saved); }
  int64_t saved;
};

std::string npy_with_shape(const std::string& shape) {
  return test::npy_v1_header("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
}

}  // namespace

TEST(Limits, ElementCountsThatOverflowInt64AreErrors) {
  EXPECT_EQ(error_of([] {
              element_count({int64_t{1} << 32, int64_t{1} << 32});
            }),
            "shape [4294967296, 4294967296] has more elements than int64 can count");
  EXPECT_EQ(error_of([] {
              checked_element_count({3, int64_t{1} << 62}, ElemType::Int8, "tensor 'w'");
            }),
            "tensor 'w' of shape [3, 4611686018427387904] has more elements than int64 can count");
  EXPECT_EQ(error_of([] {
              checked_element_count({2, -3}, ElemType::Float, "tensor 'w'");
            }),
            "tensor 'w' has a negative dimension in shape [2, -3]");
  // an empty tensor is empty however large its other dimensions
  EXPECT_EQ(checked_element_count({int64_t{1} << 40, int64_t{1} << 40, 0}, ElemType::Float, "t"),
            0);
  EXPECT_EQ(error_of([] { checked_mul(int64_t{1} << 40, int64_t{1} << 40, "node 'x' (Reshape)"); }),
            "node 'x' (Reshape): 1099511627776 * 1099511627776 overflows int64");
}

TEST(Limits, TensorsAboveTheByteLimitAreErrors) {
  EXPECT_EQ(max_tensor_bytes(), int64_t{1} << 30);  // the default (SHOAL_MAX_TENSOR_BYTES unset)
  EXPECT_EQ(error_of([] {
              Tensor(ElemType::Double, {int64_t{1} << 20, int64_t{1} << 20});
            }),
            "tensor of shape [1048576, 1048576] has 1099511627776 float64 elements, more than the "
            "1073741824 bytes a tensor may take (SHOAL_MAX_TENSOR_BYTES)");
  TensorLimit limit(100);
  EXPECT_NO_THROW(Tensor(ElemType::Float, {5, 5}));
  EXPECT_EQ(error_of([] {
              Tensor(ElemType::Float, {5, 6});
            }),
            "tensor of shape [5, 6] has 30 float32 elements, more than the 100 bytes a tensor may "
            "take (SHOAL_MAX_TENSOR_BYTES)");
}

TEST(Limits, NpyArraysAreCheckedBeforeTheyAreAllocated) {
  EXPECT_EQ(error_of([] { parse_npy(npy_with_shape("(549755813888, 549755813888)"), "x.npy"); }),
            "x.npy: array of shape [549755813888, 549755813888] has more elements than int64 can "
            "count");
  EXPECT_EQ(error_of([] { parse_npy(npy_with_shape("(65536, 65536)"), "x.npy"); }),
            "x.npy: array of shape [65536, 65536] has 4294967296 float32 elements, more than the "
            "1073741824 bytes a tensor may take (SHOAL_MAX_TENSOR_BYTES)");
}

TEST(Limits, ComputedTensorsAboveTheLimitNameTheirNode) {
  // [1, 8] ++ [1, 48] -> [1, 56]: 224 bytes, over a limit of 200 that the operands stay under
  test::GraphBuilder g("x", {1, 4});
  g.init("w", Tensor(ElemType::Float, {4, 8}));
  g.node("MatMul", {"x", "w"}, {"y"}).set_name("MatMul_0");
  g.init("v", Tensor(ElemType::Float, {1, 48}));
  g.node("Concat", {"y", "v"}, {"z"}).set_name("Concat_0");
  set_attr(g.m.node(1), "axis", int64_t{1});
  Model m = g.finish("z", {1, 56});
  TensorLimit limit(200);
  EXPECT_EQ(error_of([&] {
              execute(m, {Tensor(ElemType::Float, {1, 4})});
            }),
            "node 'Concat_0' (Concat): tensor of shape [1, 56] has 56 float32 elements, more than "
            "the 200 bytes a tensor may take (SHOAL_MAX_TENSOR_BYTES)");
}

TEST(Limits, JsonNestingIsLimited) {
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(error_of([&] { parse_json(deep, "c.json"); }),
            "c.json: JSON nested deeper than 64 levels");
  std::string ok(kMaxJsonDepth, '[');
  ok += std::string(kMaxJsonDepth, ']');
  EXPECT_NO_THROW(parse_json(ok, "c.json"));
  // brackets inside strings do not nest
  EXPECT_NO_THROW(parse_json("{\"a\": \"" + deep + "\\\"[[\"}", "c.json"));
  EXPECT_EQ(error_of([] { parse_json("{\"a\": ", "c.json"); }).rfind("c.json: not valid JSON (", 0),
            0u);
}

// divisors() pairs i with n / i up to the square root: counting up to n, as it once did,
// would not finish for 2^40 (ctest's timeout would end the test).
TEST(Limits, DivisorsOfHugeSizes) {
  std::vector<int64_t> d = divisors(int64_t{1} << 40);
  EXPECT_EQ(d.size(), 41u);
  EXPECT_EQ(d.back(), int64_t{1} << 40);
  EXPECT_EQ(divisor_list(int64_t{1} << 40),
            "1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, ..., "
            "33554432, 67108864, 134217728, 268435456, 536870912, 1073741824, 2147483648, "
            "4294967296, 8589934592, 17179869184, 34359738368, 68719476736, 137438953472, "
            "274877906944, 549755813888, 1099511627776");
  EXPECT_EQ(divisor_list(36), "1, 2, 3, 4, 6, 9, 12, 18, 36");
  EXPECT_TRUE(divisors(0).empty());
  // beyond the largest dimension shoal folds: an error, and a message that does not list them
  EXPECT_EQ(error_of([] { divisors(int64_t{1} << 61); }),
            "a dimension of 2305843009213693952 is more than the 1099511627776 shoal folds");
  EXPECT_EQ(divisor_list(int64_t{1} << 61), "the divisors of 2305843009213693952");
}

#include "shoal/core/limits.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>

#include "shoal/core/error.hpp"

namespace shoal {
namespace {

constexpr int64_t kDefaultMaxTensorBytes = int64_t{1} << 30;

int64_t limit_from_environment() {
  const char* env = std::getenv("SHOAL_MAX_TENSOR_BYTES");
  if (!env || !*env) return kDefaultMaxTensorBytes;
  char* end = nullptr;
  long long v = std::strtoll(env, &end, 10);
  if (*end != '\0' || v < 1)
    fail("SHOAL_MAX_TENSOR_BYTES is '{}', not a positive number of bytes", env);
  return v;
}

// 0 = not read from the environment yet.
std::atomic<int64_t> tensor_limit{0};

}  // namespace

int64_t max_tensor_bytes() {
  int64_t v = tensor_limit.load(std::memory_order_relaxed);
  if (v == 0) {
    v = limit_from_environment();
    tensor_limit.store(v, std::memory_order_relaxed);
  }
  return v;
}

void set_max_tensor_bytes(int64_t bytes) {
  tensor_limit.store(bytes < 1 ? 1 : bytes, std::memory_order_relaxed);
}

int64_t checked_mul(int64_t a, int64_t b, std::string_view what) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) fail("{}: {} * {} overflows int64", what, a, b);
  return r;
}

int64_t checked_add(int64_t a, int64_t b, std::string_view what) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) fail("{}: {} + {} overflows int64", what, a, b);
  return r;
}

int64_t checked_element_count(const Shape& shape, ElemType type, std::string_view what) {
  for (auto d : shape)
    if (d < 0) fail("{} has a negative dimension in shape {}", what, format_shape(shape));
  for (auto d : shape)
    if (d == 0) return 0;
  int64_t n = 1;
  for (auto d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      fail("{} of shape {} has more elements than int64 can count", what, format_shape(shape));
  const int64_t limit = max_tensor_bytes();
  if (n > limit / std::max<int64_t>(1, static_cast<int64_t>(elem_size(type))))
    fail(
        "{} of shape {} has {} {} elements, more than the {} bytes a tensor may take "
        "(SHOAL_MAX_TENSOR_BYTES)",
        what, format_shape(shape), n, elem_type_name(type), limit);
  return n;
}

}  // namespace shoal

// Pattern helpers shared by the streamlining rewrites.
#pragma once

#include <optional>

#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal::streamline {

// The initializer on input `i` of node `n`, if any.
std::optional<Tensor> param(const Model& m, int n, int i = 1);
// Every dimension is 1 (or the tensor is 0-d): FINN's "scalar".
bool is_scalar(const Tensor& t);
// Exactly one dimension is larger than 1.
bool is_1d(const Tensor& t);
// FINN's find_consumer on the node's first output (input[0] matches only), or -1.
int consumer(const Model& m, int n);
// The node is neither a fork nor a join.
bool is_linear(const Model& m, int n);
// Values as a float tensor reshaped to (-1, 1), for threshold arithmetic.
Tensor as_column(const Tensor& t);
// Elementwise a op b with numpy broadcasting on float tensors.
Tensor broadcast_op(const Tensor& a, const Tensor& b, char op);

}  // namespace shoal::streamline

namespace shoal::streamline {
// Writes a new value for input `i` of node `n`: in place when nothing else reads the
// initializer, else under a fresh name (so a shared parameter is never changed behind
// another node's back). Returns the name used.
std::string set_param(Model& m, int n, int i, const Tensor& value);
}  // namespace shoal::streamline

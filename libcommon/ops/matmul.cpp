// MatMul (numpy semantics, with batch broadcasting) and Gemm. Dot products accumulate in
// double and round once to float32, so integer-valued products are exact.
#include "op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"
#include "shoal/ops/kernels.hpp"

namespace shoal {
namespace {

// C[m,n] = sum_k A[m,k] * B[k,n] for one matrix pair.
void gemm_block(const float* a, const float* b, float* c, int64_t M, int64_t K, int64_t N,
                int64_t a_row, int64_t a_col, int64_t b_row, int64_t b_col) {
  std::vector<double> acc(N);
  for (int64_t m = 0; m < M; ++m) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t k = 0; k < K; ++k) {
      double av = a[m * a_row + k * a_col];
      if (av == 0) continue;
      const float* brow = b + k * b_row;
      for (int64_t n = 0; n < N; ++n) acc[n] += av * brow[n * b_col];
    }
    for (int64_t n = 0; n < N; ++n) c[m * N + n] = static_cast<float>(acc[n]);
  }
}

}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  Tensor a = a_in.astype(ElemType::Float), b = b_in.astype(ElemType::Float);
  Shape sa = a.shape(), sb = b.shape();
  if (sa.empty() || sb.empty()) fail("MatMul needs inputs of rank 1 or more");
  bool a_vec = sa.size() == 1, b_vec = sb.size() == 1;
  if (a_vec) sa.insert(sa.begin(), 1);
  if (b_vec) sb.push_back(1);
  int64_t M = sa[sa.size() - 2], K = sa.back(), K2 = sb[sb.size() - 2], N = sb.back();
  if (K != K2)
    fail("MatMul shapes {} and {} do not match", format_shape(a.shape()), format_shape(b.shape()));
  Shape batch_a(sa.begin(), sa.end() - 2), batch_b(sb.begin(), sb.end() - 2);
  Shape batch = ops::broadcast_shapes(batch_a, batch_b);
  Shape out_shape = batch;
  out_shape.push_back(M);
  out_shape.push_back(N);
  Tensor out(ElemType::Float, out_shape);
  auto ia = ops::broadcast_index(batch_a, batch);
  auto ib = ops::broadcast_index(batch_b, batch);
  const float* pa = a.span<float>().data();
  const float* pb = b.span<float>().data();
  float* po = out.span<float>().data();
  for (std::size_t i = 0; i < ia.size(); ++i)
    gemm_block(pa + ia[i] * M * K, pb + ib[i] * K * N, po + i * M * N, M, K, N, K, 1, N, 1);
  Shape final_shape = batch;
  if (!a_vec) final_shape.push_back(M);
  if (!b_vec) final_shape.push_back(N);
  return out.reshaped(final_shape);
}

void register_matmul_ops() {
  register_op(std::make_unique<FunctionOp>(
      "MatMul", [](ExecContext& c) { c.outputs[0] = matmul(c.in(0), c.in(1)); }));
  register_op(std::make_unique<FunctionOp>("Gemm", [](ExecContext& c) {
    Tensor a = c.in(0).astype(ElemType::Float), b = c.in(1).astype(ElemType::Float);
    if (a.rank() != 2 || b.rank() != 2) fail("Gemm needs 2-D inputs");
    bool ta = attr_int(c.node, "transA", 0) != 0, tb = attr_int(c.node, "transB", 0) != 0;
    float alpha = attr_float(c.node, "alpha", 1.0f), beta = attr_float(c.node, "beta", 1.0f);
    int64_t M = ta ? a.shape()[1] : a.shape()[0], K = ta ? a.shape()[0] : a.shape()[1];
    int64_t K2 = tb ? b.shape()[1] : b.shape()[0], N = tb ? b.shape()[0] : b.shape()[1];
    if (K != K2)
      fail("Gemm shapes {} and {} do not match", format_shape(a.shape()), format_shape(b.shape()));
    Tensor out(ElemType::Float, {M, N});
    gemm_block(a.span<float>().data(), b.span<float>().data(), out.span<float>().data(), M, K, N,
               ta ? 1 : K, ta ? M : 1, tb ? 1 : N, tb ? K : 1);
    auto po = out.span<float>();
    if (alpha != 1.0f)
      for (float& v : po) v *= alpha;
    if (c.has_input(2)) {
      Tensor cc = c.in(2).astype(ElemType::Float);
      auto idx = ops::broadcast_index(cc.shape(), {M, N});
      auto pc = cc.span<float>();
      for (std::size_t i = 0; i < po.size(); ++i) po[i] += beta * pc[idx[i]];
    }
    c.outputs[0] = std::move(out);
  }));
}

}  // namespace shoal

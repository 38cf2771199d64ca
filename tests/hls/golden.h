// Golden (reference) models of the hls/ modules, in the value domain of the ONNX ops they
// implement. Kept separate from the testbenches so that they can be replaced by the
// project's reference op execution. Values are plain integers; bipolar values are -1/+1.
#pragma once

#include "tb_common.h"

#include <cstdint>
#include <vector>

namespace golden {

// memstream: word sequence Mem[0], Mem[1], ..., Mem[DEPTH-1], Mem[0], ... (n words).
std::vector<tb::Bits> memstream(const std::vector<tb::Bits>& mem, size_t n);

// Data width conversion of a stream: the concatenated bit stream (beat 0 in the LSBs)
// re-cut into out_width-bit beats. Only complete output beats are returned.
std::vector<tb::Bits> dwc(const std::vector<tb::Bits>& in, int out_width);

// Operand description of a quantized datatype.
struct DataType {
  int bits = 8;
  bool is_signed = false;
  bool bipolar = false;  // 1 bit, values -1/+1
};

// MultiThreshold + out_bias: ACT_VAL + #{k : x >= thr[k]}.
int64_t multithreshold(int64_t x, const std::vector<int64_t>& thr, int64_t act_val);

// MVAU (StreamingFCLayer_Batch): y[v][n] = act(sum_k x[v][k] * W[k][n]).
struct MvauSpec {
  int mw = 0, mh = 0;
  DataType in, weight;
  bool xnor = false;      // binaryXnorMode: x, w in {0,1}, product = (x == w)
  int acc_bits = 32;      // accumulator wraps to acc_bits two's complement
  int num_steps = 0;      // 0: no activation (output = accumulator)
  int64_t act_val = 0;
};
// x: [vectors][mw] values, w: [mw][mh] values, thr: [mh][num_steps]. Returns
// [vectors][mh] output values (accumulator as signed acc_bits value when num_steps == 0).
std::vector<std::vector<int64_t>> mvau(const MvauSpec& spec,
                                       const std::vector<std::vector<int64_t>>& x,
                                       const std::vector<std::vector<int64_t>>& w,
                                       const std::vector<std::vector<int64_t>>& thr);

// Thresholding_Batch: y[p][c] = ACT_VAL + #{k : x[p][c] >= thr[c][k]}.
std::vector<std::vector<int64_t>> thresholding(const std::vector<std::vector<int64_t>>& x,
                                               const std::vector<std::vector<int64_t>>& thr,
                                               int64_t act_val);

// LabelSelect_Batch / ONNX TopK (largest, sorted): indices of the k largest values,
// ties broken by the lower index.
std::vector<std::vector<int64_t>> label_select(const std::vector<std::vector<int64_t>>& x, int k);

// FMPadding_Batch: x[h][w][c] (flattened, h*w_dim*c_dim + w*c_dim + c) padded with zeros by
// pads [top, left, bottom, right]; returns the (H+t+b) x (W+l+r) x C image, same layout.
std::vector<int64_t> fmpadding(const std::vector<int64_t>& x, int h, int w, int c,
                               const int pads[4]);

// StreamingMaxPool_Batch: max over non-overlapping k x k windows of the d x d x c image x
// (flattened as above); returns the (d/k) x (d/k) x c image.
std::vector<int64_t> maxpool(const std::vector<int64_t>& x, int d, int k, int c);

// ConvolutionInputGenerator (im2col without padding): the k x k windows at stride s of the
// d x d x c image x (flattened as above), OH = (d - k)/s + 1 per axis (trailing rows and
// columns that no window reaches are dropped). Returns [oy][ox][(ky*k + kx)*c + ch]
// flattened: window (oy, ox) element (ky, kx, ch) = x[oy*s + ky][ox*s + kx][ch].
std::vector<int64_t> sliding_window(const std::vector<int64_t>& x, int d, int c, int k, int s);

// DownSampler (input of a strided 1x1 conv): y[i][j][ch] = x[s*i][s*j][ch] for the
// OD x OD output, OD = (d - 1)/s + 1; same flattened layout.
std::vector<int64_t> downsample(const std::vector<int64_t>& x, int d, int c, int s);

}  // namespace golden

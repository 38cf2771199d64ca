// What the synthetic-model generators (onnx-mlp, onnx-conv) share: random values of a
// datatype, thresholds spread over observed accumulator ranges, a graph builder, and the
// expected outputs of a batch through the executor.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "shoal/core/cli.hpp"
#include "shoal/core/datatype.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal::gen {

using Rng = std::mt19937_64;

// A uniformly drawn value allowed by `dt` (integers and bipolar/binary/ternary).
float draw(Rng& rng, const DataType& dt);
Tensor random_tensor(Rng& rng, const DataType& dt, Shape shape);

// Per-channel [min, max] of a float tensor whose channels are axis `axis`.
std::vector<std::pair<double, double>> channel_ranges(const Tensor& acc, int64_t axis = -1);
// The largest magnitude over all channel ranges (1 where everything is 0).
double largest_magnitude(const std::vector<std::pair<double, double>>& ranges);

// `steps` integer thresholds per channel spread evenly over the channel's observed range:
// a (channels, steps) tensor.
Tensor spread_thresholds(const std::vector<std::pair<double, double>>& ranges, int64_t steps);

// The MultiThreshold that produces `dt`: its number of steps, out_scale and out_bias.
struct Activation {
  int64_t steps;
  float out_scale, out_bias;
};
Activation activation_for(const DataType& dt);

// Appends nodes and initializers with generated names (t0, t1, … and p2, p3, …).
class Builder {
 public:
  explicit Builder(Model& m) : m_(m) {}
  std::string add(const std::string& op, std::vector<std::string> inputs,
                  const std::string& domain = "");
  onnx::NodeProto& last();
  std::string init(const Tensor& t);
  // A MultiThreshold node producing `dt` on x with thresholds t (attributes only where they
  // differ from the defaults).
  std::string multithreshold(const std::string& x, const Tensor& t, const DataType& dt,
                             const std::string& data_layout = "");
  // A Quant (or BipolarQuant for BIPOLAR) node of `dt` with the given scale, as Brevitas
  // exports them (zero point 0, not narrow, rounding ROUND).
  std::string quant(const std::string& x, float scale, const DataType& dt);

 private:
  Model& m_;
  int counter_ = 0;
};

// The model's single output for every row of `batch` (rows stacked along axis 0 as the
// model's input shape with its leading 1 replaced), run through the executor.
Tensor run_rows(const Model& m, const Tensor& batch, const Shape& sample_shape);

// The value of tensor `name` for each row of `batch` (stacked), from a run of the model's
// graph as it is now; `name` need not be a graph output.
Tensor probe_rows(const Model& m, const std::string& name, const Tensor& batch,
                  const Shape& sample_shape);

// The datatype named by option --key; a usage error for an unknown name.
DataType datatype_option(const cxxopts::ParseResult& r, const std::string& key);
// "finn" or "qonnx" from --format: whether the QONNX form is asked for.
bool qonnx_format_option(const cxxopts::ParseResult& r);

// Writes DIR/model.onnx, DIR/input.npy and DIR/expected_output.npy (creating DIR).
void write_bundle(const std::string& dir, Model& model, const Tensor& input,
                  const Tensor& expected_output);

}  // namespace shoal::gen

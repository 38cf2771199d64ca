#include "model_gen.hpp"

#include <algorithm>
#include <cmath>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/npy.hpp"
#include "shoal/core/tensor_proto.hpp"

namespace shoal::gen {

float draw(Rng& rng, const DataType& dt) {
  if (dt == DataType::bipolar()) return (rng() & 1) ? 1.0f : -1.0f;
  auto lo = static_cast<int64_t>(dt.min()), hi = static_cast<int64_t>(dt.max());
  std::uniform_int_distribution<int64_t> d(lo, hi);
  return static_cast<float>(d(rng));
}

Tensor random_tensor(Rng& rng, const DataType& dt, Shape shape) {
  Tensor t(ElemType::Float, std::move(shape));
  for (float& v : t.span<float>()) v = draw(rng, dt);
  return t;
}

std::vector<std::pair<double, double>> channel_ranges(const Tensor& acc, int64_t axis) {
  const Shape& s = acc.shape();
  axis = normalize_axis(axis, static_cast<int64_t>(s.size()));
  int64_t C = s[axis], inner = 1;
  for (std::size_t i = axis + 1; i < s.size(); ++i) inner *= s[i];
  std::vector<std::pair<double, double>> r(C, {INFINITY, -INFINITY});
  auto p = acc.span<float>();
  for (int64_t i = 0; i < acc.size(); ++i) {
    auto& [lo, hi] = r[(i / inner) % C];
    lo = std::min<double>(lo, p[i]);
    hi = std::max<double>(hi, p[i]);
  }
  return r;
}

double largest_magnitude(const std::vector<std::pair<double, double>>& ranges) {
  double hi = 0;
  for (auto& r : ranges) hi = std::max({hi, std::fabs(r.first), std::fabs(r.second)});
  return hi == 0 ? 1 : hi;
}

Tensor spread_thresholds(const std::vector<std::pair<double, double>>& ranges, int64_t steps) {
  int64_t C = static_cast<int64_t>(ranges.size());
  Tensor t(ElemType::Float, {C, steps});
  auto p = t.span<float>();
  for (int64_t c = 0; c < C; ++c) {
    double lo = ranges[c].first, hi = ranges[c].second;
    if (hi <= lo) hi = lo + 1;
    for (int64_t k = 0; k < steps; ++k)
      p[c * steps + k] = static_cast<float>(std::ceil(lo + (k + 1) * (hi - lo) / (steps + 1)));
  }
  return t;
}

Activation activation_for(const DataType& dt) {
  if (dt == DataType::bipolar()) return {1, 2.0f, -1.0f};
  return {static_cast<int64_t>(dt.num_possible_values()) - 1, 1.0f, static_cast<float>(dt.min())};
}

std::string Builder::add(const std::string& op, std::vector<std::string> inputs,
                         const std::string& domain) {
  std::string out = "t" + std::to_string(counter_++);
  m_.graph().add_node()->CopyFrom(make_node(op, std::move(inputs), {out}, domain));
  return out;
}

onnx::NodeProto& Builder::last() {
  return *m_.graph().mutable_node(m_.graph().node_size() - 1);
}

std::string Builder::init(const Tensor& t) {
  std::string name = "p" + std::to_string(counter_++);
  *m_.graph().add_initializer() = tensor_to_proto(t, name);
  return name;
}

std::string Builder::multithreshold(const std::string& x, const Tensor& t, const DataType& dt,
                                    const std::string& data_layout) {
  Activation a = activation_for(dt);
  std::string y = add("MultiThreshold", {x, init(t)}, kGeneralDomain);
  set_attr(last(), "out_dtype", dt.name());
  if (a.out_scale != 1.0f) set_attr(last(), "out_scale", a.out_scale);
  if (a.out_bias != 0.0f) set_attr(last(), "out_bias", a.out_bias);
  if (!data_layout.empty()) set_attr(last(), "data_layout", data_layout);
  return y;
}

std::string Builder::quant(const std::string& x, float scale, const DataType& dt) {
  if (dt == DataType::bipolar())
    return add("BipolarQuant", {x, init(Tensor::scalar(scale))}, kGeneralDomain);
  std::string q = add("Quant",
                      {x, init(Tensor::scalar(scale)), init(Tensor::scalar(0.0f)),
                       init(Tensor::scalar(static_cast<float>(dt.bitwidth())))},
                      kGeneralDomain);
  set_attr(last(), "signed", int64_t{dt.is_signed()});
  set_attr(last(), "narrow", int64_t{0});
  set_attr(last(), "rounding_mode", "ROUND");
  return q;
}

namespace {

Tensor row_of(const Tensor& batch, int64_t i, const Shape& sample_shape) {
  Tensor row(ElemType::Float, sample_shape);
  int64_t n = row.size();
  std::copy_n(batch.span<float>().begin() + i * n, n, row.span<float>().begin());
  return row;
}

Tensor stack(const std::vector<Tensor>& rows) {
  const Tensor& first = rows.at(0);
  Shape shape = {static_cast<int64_t>(rows.size())};
  shape.insert(shape.end(), first.shape().begin() + 1, first.shape().end());
  Tensor out(first.type(), shape);
  std::size_t chunk = first.bytes().size();
  for (std::size_t i = 0; i < rows.size(); ++i)
    std::copy_n(rows[i].bytes().begin(), chunk, out.bytes().begin() + i * chunk);
  return out;
}

int64_t rows_in(const Tensor& batch, const Shape& sample_shape) {
  return batch.size() / element_count(sample_shape);
}

}  // namespace

Tensor run_rows(const Model& m, const Tensor& batch, const Shape& sample_shape) {
  Executor exec(m);
  std::vector<Tensor> results;
  for (int64_t i = 0; i < rows_in(batch, sample_shape); ++i)
    results.push_back(exec.run({row_of(batch, i, sample_shape)}).at(0));
  return stack(results);
}

Tensor probe_rows(const Model& m, const std::string& name, const Tensor& batch,
                  const Shape& sample_shape) {
  Executor exec(m);
  std::vector<Tensor> results;
  for (int64_t i = 0; i < rows_in(batch, sample_shape); ++i) {
    auto ctx = exec.run_context({row_of(batch, i, sample_shape)});
    auto it = ctx.find(name);
    if (it == ctx.end()) fail("internal: tensor '{}' was not computed", name);
    results.push_back(it->second.astype(ElemType::Float));
  }
  return stack(results);
}

DataType datatype_option(const cxxopts::ParseResult& r, const std::string& key) {
  auto dt = DataType::parse(r[key].as<std::string>());
  if (!dt) throw UsageError("--" + key + ": unknown datatype '" + r[key].as<std::string>() + "'");
  return *dt;
}

bool qonnx_format_option(const cxxopts::ParseResult& r) {
  std::string format = r["format"].as<std::string>();
  if (format != "finn" && format != "qonnx") throw UsageError("--format must be finn or qonnx");
  return format == "qonnx";
}

void write_bundle(const std::string& dir, Model& model, const Tensor& input,
                  const Tensor& expected_output) {
  std::filesystem::path d = dir;
  make_dirs(d);
  model.save((d / "model.onnx").string());
  write_npy((d / "input.npy").string(), input);
  write_npy((d / "expected_output.npy").string(), expected_output);
}

}  // namespace shoal::gen

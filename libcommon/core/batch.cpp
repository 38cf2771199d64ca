#include "shoal/core/batch.hpp"

#include <cstring>

#include "shoal/core/error.hpp"

namespace shoal {

Batch split_batch(const Tensor& input, const Shape& model_shape, const std::string& input_name,
                  const std::string& file) {
  Batch b;
  const Shape& s = input.shape();
  if (s == model_shape) {
    b.single = true;
    b.samples.push_back(input);
    return b;
  }
  Shape row;
  bool ok = false;
  if (!s.empty() && !model_shape.empty() && model_shape[0] == 1 &&
      Shape(s.begin() + 1, s.end()) == Shape(model_shape.begin() + 1, model_shape.end()))
    ok = true;
  else if (!s.empty() && Shape(s.begin() + 1, s.end()) == model_shape)
    ok = true;
  if (!ok)
    fail(
        "{} has shape {}, but model input '{}' takes {} (one sample, or a batch whose rows have "
        "that shape)",
        file, format_shape(s), input_name, format_shape(model_shape));
  int64_t n = s[0];
  int64_t per = n ? input.size() / n : 0;
  std::size_t es = elem_size(input.type());
  for (int64_t i = 0; i < n; ++i) {
    Tensor t(input.type(), model_shape);
    std::memcpy(t.bytes().data(), input.bytes().data() + i * per * es, per * es);
    b.samples.push_back(std::move(t));
  }
  return b;
}

Tensor stack_outputs(const std::vector<Tensor>& outputs, bool single) {
  if (single && outputs.size() == 1) return outputs[0];
  if (outputs.empty()) return Tensor(ElemType::Float, {0});
  const Tensor& first = outputs[0];
  Shape per = first.shape();
  if (!per.empty() && per[0] == 1) per.erase(per.begin());
  Shape shape = {static_cast<int64_t>(outputs.size())};
  shape.insert(shape.end(), per.begin(), per.end());
  Tensor out(first.type(), shape);
  std::size_t chunk = first.bytes().size();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].bytes().size() != chunk || outputs[i].type() != first.type())
      fail("samples produced outputs of different shapes");
    std::memcpy(out.bytes().data() + i * chunk, outputs[i].bytes().data(), chunk);
  }
  return out;
}

}  // namespace shoal

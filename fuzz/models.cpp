#include "models.hpp"

#include "../tools/onnx-conv/conv_net.hpp"
#include "../tools/onnx-mlp/mlp.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/hw/stitch.hpp"
#include "shoal/transforms/folding.hpp"
#include "shoal/transforms/hls_conversion.hpp"
#include "shoal/transforms/streamline.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal::fuzz {
namespace {

Tensor first_row(const Tensor& batch) {
  Shape s = batch.shape();
  s[0] = 1;
  Tensor row(batch.type(), s);
  std::copy_n(batch.bytes().begin(), row.bytes().size(), row.bytes().begin());
  return row;
}

// The model at each stage of the front end; the child's input is what the parent's host
// nodes hand the partition for `input`.
void add_stages(std::vector<SampleModel>& out, const std::string& name, Model model,
                const Tensor& input, bool qonnx) {
  out.push_back({name, model, input});
  if (qonnx) qonnx_to_finn(model);
  tidy_up(model);
  streamline_step(model);
  out.push_back({name + "_streamlined", model, input});
  ConversionNotes notes;
  convert_to_hls_step(model, ConvertToHlsOptions{}, &notes);
  PartitionResult p = create_dataflow_partition(model, "child.onnx", notes);
  Tensor child_input;
  ExecOptions o;
  o.partition_runner = [&](const Model&, const onnx::NodeProto&, const std::vector<Tensor>& in) {
    child_input = in.at(0);
    return execute(p.child, in);
  };
  execute(model, {input}, o);
  out.push_back({name + "_child", p.child, child_input});
}

std::vector<SampleModel> build() {
  std::vector<SampleModel> out;
  MlpSpec mlp;
  mlp.layers = {6, 5, 3};
  mlp.weight_type = DataType::sint(3);
  mlp.act_type = DataType::uint(2);
  mlp.input_type = DataType::sint(3);
  mlp.samples = 1;
  for (bool qonnx : {false, true}) {
    mlp.qonnx = qonnx;
    MlpBundle b = make_mlp(mlp);
    add_stages(out, qonnx ? "mlp_qonnx" : "mlp", b.model, first_row(b.input), qonnx);
  }
  MlpSpec xnor;
  xnor.layers = {8, 6, 4};
  xnor.weight_type = xnor.act_type = xnor.input_type = DataType::bipolar();
  xnor.input_scale = 1.0f;
  xnor.last_linear = true;
  xnor.topk = true;
  xnor.samples = 1;
  {
    MlpBundle b = make_mlp(xnor);
    add_stages(out, "xnor_topk", b.model, first_row(b.input), false);
  }
  ConvNetSpec conv;
  conv.image = 6;
  conv.channels = 2;
  conv.layers = parse_conv_layers("c3k3p1,m2,f4");
  conv.samples = 1;
  for (bool qonnx : {false, true}) {
    conv.qonnx = qonnx;
    ConvNetBundle b = make_conv_net(conv);
    add_stages(out, qonnx ? "conv_qonnx" : "conv", b.model, first_row(b.input), qonnx);
  }
  // The MLP's child with a width converter and FIFOs, as stitch leaves it.
  for (const auto& s : std::vector<SampleModel>(out))
    if (s.name == "mlp_child") {
      Model m = s.model;
      apply_folding_config(m, nlohmann::ordered_json::parse(
                                  R"({"Defaults": {}, "StreamingFCLayer_Batch_1": {"SIMD": 5}})"));
      insert_dwcs(m);
      insert_fifos(m, [](int, int) { return int64_t{32}; });
      out.push_back({"mlp_child_fifos", m, s.input});
    }
  return out;
}

}  // namespace

const std::vector<SampleModel>& sample_models() {
  static const std::vector<SampleModel> models = build();
  return models;
}

std::vector<const SampleModel*> hardware_models() {
  std::vector<const SampleModel*> out;
  for (const auto& s : sample_models())
    if (s.name.ends_with("_child") || s.name.ends_with("_fifos")) out.push_back(&s);
  return out;
}

}  // namespace shoal::fuzz

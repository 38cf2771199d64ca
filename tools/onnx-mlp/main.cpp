// onnx-mlp: write a synthetic quantized MLP with input and expected-output vectors.
#include <iostream>
#include <sstream>

#include "../model-gen/model_gen.hpp"
#include "mlp.hpp"
#include "shoal/core/cli.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/npy.hpp"

using namespace shoal;

namespace {
std::vector<int64_t> parse_layers(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      std::size_t pos = 0;
      long long v = std::stoll(item, &pos);
      if (pos != item.size() || v < 1) throw std::invalid_argument(item);
      out.push_back(v);
    } catch (const std::exception&) {
      throw UsageError("--layers takes comma-separated positive sizes, got '" + text + "'");
    }
  }
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  ToolInfo info{
      "onnx-mlp", "onnx-mlp --layers L0,L1,... --wdt T --adt T --idt T [options] -o DIR",
      "Writes a synthetic quantized multilayer perceptron into DIR: model.onnx, input.npy\n"
      "(--samples rows, float32) and expected_output.npy (the executor's output for each\n"
      "row). The FINN-ONNX form has a MatMul + MultiThreshold pair per layer with integer\n"
      "weights and thresholds spread over each channel's observed accumulator range; the\n"
      "QONNX form has float weights behind Quant nodes and Relu+Quant, Quant or BipolarQuant\n"
      "activations, as Brevitas exports them. --layers 14,31,11,3,1 --wdt INT6 --adt UINT6\n"
      "--idt INT6 --odt UINT4 is the facile-like model of the reference build. BIPOLAR\n"
      "weights, activations and input give an XNOR network. --topk appends a TopK (k=1),\n"
      "in FINN form as FINN's InsertTopK writes it (k an INT64 initializer, the output\n"
      "annotated UINT32): the output and expected_output.npy are then the class indices.\n"};
  auto options = make_options(info);
  options.add_options()("layers", "layer sizes, input first", cxxopts::value<std::string>())(
      "wdt", "weight datatype (BIPOLAR, BINARY, INTn, UINTn)", cxxopts::value<std::string>())(
      "adt", "activation datatype", cxxopts::value<std::string>())("idt", "input datatype",
                                                                   cxxopts::value<std::string>())(
      "odt", "add a final requantization to this datatype", cxxopts::value<std::string>())(
      "format", "finn or qonnx", cxxopts::value<std::string>()->default_value("finn"))(
      "input-scale", "float input of integer levels times this scale, quantized first",
      cxxopts::value<float>())("topk",
                               "end with FINN's InsertTopK(k=1): the output is the class index")(
      "last-linear", "no activation after the last layer")(
      "seed", "random seed", cxxopts::value<uint64_t>()->default_value("1"))(
      "samples", "rows of input.npy", cxxopts::value<int64_t>()->default_value("16"))(
      "o,output", "output directory", cxxopts::value<std::string>());
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    for (const char* key : {"layers", "wdt", "adt", "idt", "output"})
      if (!r.count(key))
        throw UsageError(std::string("missing --") +
                         (std::string(key) == "output" ? "output (-o)" : key));
    MlpSpec s;
    s.layers = parse_layers(r["layers"].as<std::string>());
    s.weight_type = gen::datatype_option(r, "wdt");
    s.act_type = gen::datatype_option(r, "adt");
    s.input_type = gen::datatype_option(r, "idt");
    if (r.count("odt")) s.output_type = gen::datatype_option(r, "odt");
    s.qonnx = gen::qonnx_format_option(r);
    if (r.count("input-scale")) s.input_scale = r["input-scale"].as<float>();
    s.topk = r.count("topk") > 0;
    s.last_linear = r.count("last-linear") > 0;
    s.seed = r["seed"].as<uint64_t>();
    s.samples = r["samples"].as<int64_t>();
    MlpBundle b = make_mlp(s);
    gen::write_bundle(r["output"].as<std::string>(), b.model, b.input, b.expected_output);
    return 0;
  });
}

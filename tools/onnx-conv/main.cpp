// onnx-conv: write a synthetic quantized convolutional network with input and expected-output
// vectors.
#include "../model-gen/model_gen.hpp"
#include "conv_net.hpp"
#include "shoal/core/cli.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/npy.hpp"

using namespace shoal;

int main(int argc, char** argv) {
  ToolInfo info{
      "onnx-conv",
      "onnx-conv --image N --channels C --layers SPEC --wdt T --adt T [options] -o DIR",
      "Writes a synthetic quantized convolutional network into DIR: model.onnx, input.npy\n"
      "(--samples images of CxNxN, float32, NCHW) and expected_output.npy (the executor's\n"
      "output for each image on model.onnx as written). SPEC lists the layers, comma-\n"
      "separated: c<out>[k<k>|k<kh>x<kw>][s<stride>][p<pad>|p<t>.<l>.<b>.<r>][d<dil>][g<groups>]\n"
      "a convolution (default 3x3, stride 1, no padding), m<k>[s<stride>] a max-pool (stride\n"
      "k by default), f<n> a fully connected layer (the feature map is flattened first).\n"
      "Example: --image 28 --channels 1 --layers c16k3p1,m2,c32k3p1,m2,f10 is small_cnn's\n"
      "topology. The FINN-ONNX form has Conv/MatMul + MultiThreshold pairs with integer\n"
      "weights and thresholds spread over each channel's observed accumulator range; the\n"
      "QONNX form has float weights behind Quant nodes and Relu+Quant, Quant or BipolarQuant\n"
      "activations, as Brevitas exports them. Kernels, paddings and groups FINN cannot map are\n"
      "written as asked, so that the flow's error messages can be tested.\n"};
  auto options = make_options(info);
  options.add_options()("image", "input height and width", cxxopts::value<int64_t>())(
      "channels", "input channels", cxxopts::value<int64_t>()->default_value("1"))(
      "layers", "the layers, see above", cxxopts::value<std::string>())(
      "wdt", "weight datatype (BIPOLAR, BINARY, INTn, UINTn)", cxxopts::value<std::string>())(
      "adt", "activation datatype", cxxopts::value<std::string>())(
      "idt", "input datatype", cxxopts::value<std::string>()->default_value("UINT8"))(
      "format", "finn or qonnx", cxxopts::value<std::string>()->default_value("finn"))(
      "topk", "end with TopK (k=1): the output is the class index")(
      "last-linear", "no activation after the last layer")(
      "seed", "random seed", cxxopts::value<uint64_t>()->default_value("1"))(
      "samples", "images in input.npy", cxxopts::value<int64_t>()->default_value("8"))(
      "o,output", "output directory", cxxopts::value<std::string>());
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    for (const char* key : {"image", "layers", "wdt", "adt", "output"})
      if (!r.count(key))
        throw UsageError(std::string("missing --") +
                         (std::string(key) == "output" ? "output (-o)" : key));
    ConvNetSpec s;
    s.image = r["image"].as<int64_t>();
    s.channels = r["channels"].as<int64_t>();
    s.layers = parse_conv_layers(r["layers"].as<std::string>());
    s.weight_type = gen::datatype_option(r, "wdt");
    s.act_type = gen::datatype_option(r, "adt");
    s.input_type = gen::datatype_option(r, "idt");
    s.qonnx = gen::qonnx_format_option(r);
    s.topk = r.count("topk") > 0;
    s.last_linear = r.count("last-linear") > 0;
    s.seed = r["seed"].as<uint64_t>();
    s.samples = r["samples"].as<int64_t>();
    ConvNetBundle b = make_conv_net(s);
    gen::write_bundle(r["output"].as<std::string>(), b.model, b.input, b.expected_output);
    return 0;
  });
}

// streamline: FINN's step_streamline.
#include "shoal/core/cli.hpp"
#include "shoal/core/model.hpp"
#include "shoal/transforms/streamline.hpp"

using namespace shoal;

int main(int argc, char** argv) {
  ToolInfo info{
      "streamline", "streamline [IN.onnx|-] [-o OUT.onnx|-]",
      "Streamlines a tidy FINN-ONNX model as FINN v0.6's step_streamline does: moves and\n"
      "collapses the floating-point scales and biases (Sub, Div, BatchNormalization, Mul,\n"
      "Add) of the quantized network into the MultiThreshold activations and the integer\n"
      "weights (AbsorbSignBiasIntoMultiThreshold, then every rewrite of Streamline() in its\n"
      "order), lowers convolutions to Im2Col + MatMul on NHWC data (LowerConvsToMatMul,\n"
      "MakeMaxPoolNHWC, AbsorbTransposeIntoMultiThreshold; a Conv FINN v0.6 cannot map is an\n"
      "error), turns bipolar MatMuls into XnorPopcountMatMul with thresholds in the popcount\n"
      "domain (ConvertBipolarMatMulToXnorPopcount, a second Streamline()), absorbs a scalar\n"
      "Mul/Add in front of TopK, and annotates data layouts (InferDataLayouts). The result\n"
      "computes the same outputs, exactly where they are integers.\n"
      "Input from a file or '-' (stdin, the default); output to -o FILE or stdout.\n"};
  auto options = make_options(info);
  options.add_options()("o,output", "output model ('-' = stdout)",
                        cxxopts::value<std::string>()->default_value("-"))(
      "input", "input model", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    std::string out = r["output"].as<std::string>();
    Model m = Model::load(single_input(r));
    streamline_step(m);
    m.save(out);
    return 0;
  });
}

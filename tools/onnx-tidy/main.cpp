// onnx-tidy: FINN's step_qonnx_to_finn + step_tidy_up.
#include "shoal/core/cli.hpp"
#include "shoal/core/model.hpp"
#include "shoal/transforms/transforms.hpp"

using namespace shoal;

int main(int argc, char** argv) {
  ToolInfo info{"onnx-tidy", "onnx-tidy [IN.onnx|-] [-o OUT.onnx|-]",
                "Reads an ONNX model in the QONNX or FINN-ONNX dialect and writes it as tidy\n"
                "FINN-ONNX. A QONNX model (Quant, BipolarQuant or Trunc nodes) is first converted\n"
                "as FINN's step_qonnx_to_finn does: weight quantizers become integer initializers\n"
                "(with their scale moved into a Mul), activation quantizers become MultiThreshold\n"
                "nodes. Then step_tidy_up: InferShapes, FoldConstants, GiveUniqueNodeNames,\n"
                "GiveReadableTensorNames, InferDataTypes, RemoveStaticGraphInputs. A FINN-ONNX\n"
                "model goes through the tidy part only.\n"
                "Input from a file or '-' (stdin, the default); output to -o FILE or stdout.\n"};
  auto options = make_options(info);
  options.add_options()("o,output", "output model ('-' = stdout)",
                        cxxopts::value<std::string>()->default_value("-"))(
      "input", "input model", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    std::string out = r["output"].as<std::string>();
    Model m = Model::load(single_input(r));
    if (is_qonnx(m)) qonnx_to_finn(m);
    tidy_up(m);
    m.save(out);
    return 0;
  });
}

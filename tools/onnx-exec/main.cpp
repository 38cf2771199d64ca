// onnx-exec: run a model of the flow on an .npy batch (FINN's execute_onnx, one sample at a
// time).
#include <cmath>
#include <iostream>

#include "batch.hpp"
#include "shoal/cli.hpp"
#include "shoal/executor.hpp"
#include "shoal/io.hpp"
#include "shoal/model.hpp"
#include "shoal/npy.hpp"

using namespace shoal;

namespace {

void print_tensor(const Tensor& t) {
  std::cout << "shape " << format_shape(t.shape()) << " " << elem_type_name(t.type()) << "\n";
  int64_t row = t.rank() > 0 ? t.shape().back() : 1;
  for (int64_t i = 0; i < t.size(); ++i) {
    std::cout << (i % row ? " " : "") << t.get(i);
    if ((i + 1) % row == 0) std::cout << "\n";
  }
}

// Compares with expected values: shapes must hold the same elements (a (16,) expectation
// matches a (16, 1) result), values within atol.
void compare_outputs(const Tensor& got, const Tensor& want, double atol, const std::string& path) {
  if (got.size() != want.size())
    fail("output has shape {} but {} has shape {}", format_shape(got.shape()), path,
         format_shape(want.shape()));
  double worst = 0;
  int64_t worst_at = 0, bad = 0;
  for (int64_t i = 0; i < got.size(); ++i) {
    double d = std::fabs(got.get(i) - want.get(i));
    if (!(d <= atol)) ++bad;
    if (!(d <= worst)) {
      worst = d;
      worst_at = i;
    }
  }
  if (bad)
    fail(
        "output differs from {} in {} of {} values (largest difference {} at flat index {}: got "
        "{}, expected {})",
        path, bad, got.size(), worst, worst_at, got.get(worst_at), want.get(worst_at));
  std::cerr << "onnx-exec: output matches " << path << " (" << got.size()
            << " values, largest difference " << worst << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
  ToolInfo info{
      "onnx-exec", "onnx-exec MODEL.onnx INPUT.npy [-o OUTPUT.npy]",
      "Executes MODEL.onnx (any model of the flow: QONNX, FINN-ONNX, hardware layers,\n"
      "a parent model with a StreamingDataflowPartition) on the samples in INPUT.npy\n"
      "and writes the outputs as .npy, as FINN's execute_onnx does. INPUT.npy holds one\n"
      "sample in the model's input shape, or a batch whose first axis is the sample\n"
      "index (each row one sample of the input shape, e.g. (16, 14) for an input of\n"
      "[1, 14]). The output stacks the per-sample outputs the same way. Without -o the\n"
      "output goes to stdout, as .npy when stdout is not a terminal, as text when it is.\n"
      "--expect compares the output with a reference .npy (within --atol).\n"};
  auto options = make_options(info);
  options.add_options()("o,output", "output .npy ('-' = stdout)", cxxopts::value<std::string>())(
      "no-sanitize",
      "do not round quantized tensors to their datatype (FINN sanitises by default)")(
      "p,print", "print the output as text (the default when stdout is a terminal)")(
      "expect", "compare the output with this .npy; exit 1 on a mismatch",
      cxxopts::value<std::string>())("atol", "absolute tolerance for --expect",
                                     cxxopts::value<double>()->default_value("0"))(
      "positional", "model and input", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"positional"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    if (!r.count("positional") || r["positional"].as<std::vector<std::string>>().size() != 2)
      throw UsageError("expected a model and an input .npy");
    const auto& pos = r["positional"].as<std::vector<std::string>>();
    Model model = Model::load(pos[0]);
    Tensor input = read_npy(pos[1]);
    ExecOptions opts;
    opts.sanitize = !r.count("no-sanitize");
    Executor exec(model, opts);
    if (exec.input_names().size() != 1)
      fail("{} has {} inputs; onnx-exec feeds models with exactly one", pos[0],
           exec.input_names().size());
    const std::string& in_name = exec.input_names()[0];
    Shape in_shape = model.static_shape(in_name);
    Batch batch = split_batch(input, in_shape, in_name, pos[1]);
    std::vector<Tensor> outputs;
    for (const auto& sample : batch.samples) outputs.push_back(exec.run({sample}).at(0));
    Tensor result = stack_outputs(outputs, batch.single);
    if (r.count("expect")) {
      std::string path = r["expect"].as<std::string>();
      Tensor want = read_npy(path);
      compare_outputs(result, want, r["atol"].as<double>(), path);
    }
    if (r.count("output")) {
      write_npy(r["output"].as<std::string>(), result);
    }
    if (r.count("print") || (!r.count("output") && stdout_is_terminal())) {
      print_tensor(result);
    } else if (!r.count("output")) {
      write_npy("-", result);
    }
    return 0;
  });
}

// onnx-exec: run a model of the flow on an .npy batch (FINN's execute_onnx, one sample at a
// time).
#include <cmath>
#include <iostream>

#include "shoal/core/batch.hpp"
#include "shoal/core/cli.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/npy.hpp"
#include "shoal/hw/rtlsim.hpp"

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

// The parent model with its partition simulated: a first pass per sample collects what
// reaches the partition node, one simulation runs all of it, a second pass per sample
// finishes on the host with the simulated results.
std::vector<Tensor> run_with_rtlsim(const Model& parent, ExecOptions opts,
                                    const std::vector<Tensor>& samples,
                                    const std::string& stitched_path) {
  Model stitched = Model::load(stitched_path);
  struct Captured {};
  int partitions = 0;
  for (const auto& n : parent.graph().node())
    partitions += n.op_type() == "StreamingDataflowPartition";
  if (partitions != 1)
    fail("the model holds {} StreamingDataflowPartition nodes; --rtlsim needs exactly one",
         partitions);
  std::vector<Tensor> reaching;
  ExecOptions capture = opts;
  capture.partition_runner = [&](const Model&, const onnx::NodeProto&,
                                 const std::vector<Tensor>& in) -> std::vector<Tensor> {
    if (in.size() != 1) fail("the partition node has {} inputs; rtlsim feeds one", in.size());
    reaching.push_back(in[0]);
    throw Captured{};
  };
  Executor first(parent, capture);
  for (const auto& sample : samples) {
    try {
      first.run({sample});
    } catch (const Captured&) {
    }
  }
  RtlsimRun run = rtlsim_run(stitched, reaching);
  std::cerr << "onnx-exec: " << samples.size() << (samples.size() == 1 ? " frame" : " frames")
            << " through the stitched design in " << run.sim.cycles << " cycles"
            << (run.binary.from_cache ? " (simulator from the cache)\n" : "\n");
  std::size_t next = 0;
  opts.partition_runner = [&](const Model&, const onnx::NodeProto&,
                              const std::vector<Tensor>&) -> std::vector<Tensor> {
    return {run.outputs.at(next++)};
  };
  Executor second(parent, opts);
  std::vector<Tensor> outputs;
  for (const auto& sample : samples) outputs.push_back(second.run({sample}).at(0));
  return outputs;
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
      "--expect compares the output with a reference .npy (within --atol).\n"
      "--rtlsim --partition STITCHED.onnx runs the StreamingDataflowPartition node of a\n"
      "parent model by simulating the stitched design of its child (see rtlsim): the host\n"
      "nodes run in software, all samples go through one simulation.\n"};
  auto options = make_options(info);
  options.add_options()("o,output", "output .npy ('-' = stdout)", cxxopts::value<std::string>())(
      "no-sanitize",
      "do not round quantized tensors to their datatype (FINN sanitises by default)")(
      "p,print", "print the output as text (the default when stdout is a terminal)")(
      "expect", "compare the output with this .npy; exit 1 on a mismatch",
      cxxopts::value<std::string>())("atol", "absolute tolerance for --expect",
                                     cxxopts::value<double>()->default_value("0"))(
      "partition", "the stitched child model of the parent's partition node",
      cxxopts::value<std::string>())("rtlsim", "simulate the partition (needs --partition)")(
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
    if (r.count("rtlsim") || r.count("partition")) {
      if (!r.count("rtlsim") || !r.count("partition"))
        throw UsageError("--rtlsim and --partition STITCHED.onnx go together");
      outputs = run_with_rtlsim(model, opts, batch.samples, r["partition"].as<std::string>());
    } else {
      for (const auto& sample : batch.samples) outputs.push_back(exec.run({sample}).at(0));
    }
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

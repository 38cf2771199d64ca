// Model container: loading, atomic saving, graph queries, annotations, naming (dialect.md §1.5).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/transforms/transforms.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("shoal_unit_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path operator/(const std::string& s) const { return path_ / s; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  static inline int counter_ = 0;
};

std::string load_error(const std::string& bytes) {
  try {
    Model::parse(bytes, "m.onnx");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// x -> A -> (B, C) -> D(join) -> y
Model diamond() {
  GraphBuilder g("x", {1, 2});
  g.node("Relu", {"x"}, {"a"}).set_name("A");
  g.node("Neg", {"a"}, {"b"}).set_name("B");
  g.node("Abs", {"a"}, {"c"}).set_name("C");
  g.node("Add", {"b", "c"}, {"y"}).set_name("D");
  return g.finish("y", {1, 2});
}

}  // namespace

TEST(Model, LoadErrorsAreOneLine) {
  EXPECT_EQ(load_error(""), "m.onnx: empty file, not an ONNX model");
  EXPECT_EQ(load_error("\xff\xfe random bytes that are not protobuf \x01\x02"),
            "m.onnx: not an ONNX model (truncated or corrupt protobuf)");
  std::string good = diamond().serialize();
  EXPECT_EQ(load_error(good.substr(0, good.size() / 2)),
            "m.onnx: not an ONNX model (truncated or corrupt protobuf)");
  EXPECT_EQ(load_error(std::string("\x08\x07", 2)),
            "m.onnx: not an ONNX model (no graph, IR version or opset)");
  try {
    Model::load("/nonexistent/dir/m.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read '/nonexistent/dir/m.onnx': No such file or directory");
  }
}

TEST(Model, SaveIsAtomicAndDeterministic) {
  TempDir dir;
  Model m = diamond();
  m.save((dir / "a.onnx").string());
  m.save((dir / "b.onnx").string());
  EXPECT_EQ(read_file((dir / "a.onnx").string()), read_file((dir / "b.onnx").string()));
  EXPECT_EQ(Model::load((dir / "a.onnx").string()).node_count(), 4);
  // A failing write leaves neither a partial file nor a temporary behind.
  EXPECT_THROW(write_file_atomic((dir / "missing" / "c.onnx").string(), "x"), Error);
  int files = 0;
  for (auto& e : fs::directory_iterator(dir.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 2);
  // Devices are written in place, never replaced by a rename.
  write_file_atomic("/dev/null", "discarded");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(Model, GraphQueries) {
  Model m = diamond();
  EXPECT_EQ(m.producer("a"), 0);
  EXPECT_EQ(m.producer("x"), -1);
  EXPECT_EQ(m.consumers("a"), (std::vector<int>{1, 2}));
  EXPECT_EQ(m.find_consumer("b"), 3);
  EXPECT_EQ(m.find_consumer("c"), -1);  // FINN's find_consumer looks at input[0] only
  EXPECT_TRUE(m.is_fork(0));
  EXPECT_FALSE(m.is_fork(1));
  EXPECT_TRUE(m.is_join(3));
  EXPECT_FALSE(m.is_join(0));
  EXPECT_EQ(m.successors(0), (std::vector<int>{1, 2}));
  EXPECT_EQ(m.predecessors(3), (std::vector<int>{1, 2}));
}

TEST(Model, AnnotationsAndInitializers) {
  Model m = diamond();
  EXPECT_EQ(m.datatype("a").name(), "FLOAT32");
  m.set_datatype("a", DataType::uint(4));
  m.set_layout("a", {"N", "C"});
  EXPECT_EQ(m.datatype("a").name(), "UINT4");
  EXPECT_EQ(*m.annotation("a", "tensor_layout"), "['N', 'C']");
  EXPECT_EQ(*m.layout("a"), (std::vector<std::string>{"N", "C"}));
  m.set_annotation("b", "finn_datatype", "UINT99X");
  try {
    m.datatype("b");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "unknown datatype 'UINT99X' in the annotation of tensor 'b'");
  }
  m.set_initializer("w", floats({2, 3}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(*m.tensor_shape("w"), (Shape{2, 3}));
  ASSERT_NE(m.value_info("w"), nullptr);  // FINN writes ValueInfo for initializers
  EXPECT_EQ(m.initializer("w")->get(5), 6);
}

TEST(Transforms, SortGraphByLevels) {
  Model m = diamond();
  // reverse the node order
  google::protobuf::RepeatedPtrField<onnx::NodeProto> rev;
  for (int i = m.node_count() - 1; i >= 0; --i) *rev.Add() = m.node(i);
  m.graph().mutable_node()->Swap(&rev);
  sort_graph(m);
  std::vector<std::string> names;
  for (const auto& n : m.graph().node()) names.push_back(n.name());
  // level 0: A; level 1: C, B in their (reversed) input order; level 2: D
  EXPECT_EQ(names, (std::vector<std::string>{"A", "C", "B", "D"}));
}

TEST(Transforms, UniqueAndReadableNames) {
  GraphBuilder g("input", {1, 2});
  g.init("w1", floats({2, 2}, {1, 0, 0, 1}));
  g.init("bias", floats({2}, {1, 1}));
  g.node("MatMul", {"input", "w1"}, {"t0"});
  g.node("Add", {"t0", "bias"}, {"t1"});
  g.node("MatMul", {"t1", "w1"}, {"t2"});
  g.node("Relu", {"t2"}, {"output"});
  Model m = g.finish("output", {1, 2});
  Tensor x = floats({1, 2}, {3, -7});
  Tensor before = execute(m, {x}).at(0);
  apply(m, [](Model& x) { return give_unique_node_names(x); });
  apply(m, give_readable_tensor_names);
  std::vector<std::string> names;
  for (const auto& n : m.graph().node()) names.push_back(n.name());
  EXPECT_EQ(names, (std::vector<std::string>{"MatMul_0", "Add_0", "MatMul_1", "Relu_0"}));
  EXPECT_EQ(m.node(0).input(0), "global_in");
  EXPECT_EQ(m.node(0).output(0), "MatMul_0_out0");
  EXPECT_EQ(m.node(1).input(1), "Add_0_param0");
  // a shared initializer ends up named after its last user
  EXPECT_EQ(m.node(0).input(1), "MatMul_1_param0");
  EXPECT_EQ(m.node(3).output(0), "global_out");
  expect_close(execute(m, {x}).at(0), before, 0);
  std::string once = m.serialize();
  apply(m, [](Model& x) { return give_unique_node_names(x); });
  apply(m, give_readable_tensor_names);
  EXPECT_EQ(m.serialize(), once);
}

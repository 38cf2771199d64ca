// fuzz_seeds DIR: writes a seed corpus per target into DIR/<target>/ from what the project
// generates itself (the models of models.hpp, their folding configs, arrays of every .npy
// type), so that the fuzzers start from valid inputs on a fresh clone too. fuzz/run.sh adds
// the committed seeds of fuzz/corpus/ and, where it exists, ../shared/models.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "models.hpp"
#include "shoal/core/npy.hpp"
#include "shoal/core/pyjson.hpp"
#include "shoal/transforms/folding.hpp"

namespace fs = std::filesystem;
using namespace shoal;

namespace {

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// The same array with a version 2.0 header (4-byte header length).
std::string npy_v2(const std::string& v1) {
  std::size_t header_len = static_cast<unsigned char>(v1[8]) |
                           (static_cast<std::size_t>(static_cast<unsigned char>(v1[9])) << 8);
  std::string out = v1.substr(0, 6) + std::string("\x02\x00", 2);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((header_len >> (8 * i)) & 0xff);
  return out + v1.substr(10);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seeds DIR\n";
    return 2;
  }
  fs::path dir = argv[1];
  const auto& models = fuzz::sample_models();
  for (std::size_t i = 0; i < models.size(); ++i) {
    Model m = models[i].model;
    m.declare_custom_domains();
    write(dir / "onnx_tidy" / (models[i].name + ".onnx"), m.serialize());
    write(dir / "npy" / (models[i].name + "_input.npy"), serialize_npy(models[i].input));
    write(dir / "executor" / models[i].name, std::string(1, static_cast<char>(i)));
  }
  for (const auto* s : fuzz::hardware_models())
    write(dir / "folding_config" / (s->name + ".json"),
          python_json_dump(extract_hw_config(s->model)));
  const std::vector<Shape> shapes = {{}, {0}, {3}, {2, 3}, {1, 2, 1, 2}};
  for (ElemType type : {ElemType::Float, ElemType::Double, ElemType::Int8, ElemType::UInt8,
                        ElemType::Int16, ElemType::UInt16, ElemType::Int32, ElemType::UInt32,
                        ElemType::Int64, ElemType::UInt64, ElemType::Bool})
    for (std::size_t k = 0; k < shapes.size(); ++k) {
      Tensor t(type, shapes[k]);
      for (int64_t i = 0; i < t.size(); ++i) t.set(i, static_cast<double>(i % 2));
      std::string name = std::string(elem_type_name(type)) + "_" + std::to_string(k);
      write(dir / "npy" / (name + ".npy"), serialize_npy(t));
      if (k == 3) write(dir / "npy" / (name + "_v2.npy"), npy_v2(serialize_npy(t)));
    }
  std::cout << "seeds written to " << dir.string() << "\n";
  return 0;
}

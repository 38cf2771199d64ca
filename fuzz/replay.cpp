// fuzz_replay TARGET PATH...: feeds every file (directories: every file inside, in name
// order) to the target's entry function, as the fuzzer did. ctest runs it on
// fuzz/regressions/TARGET (inputs that once crashed) and fuzz/corpus/TARGET with the normal
// build, so a fixed crash stays fixed without clang. A finding aborts; success prints a count.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "fuzz.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fuzz_replay TARGET PATH...\n";
    return 2;
  }
  const shoal::fuzz::Target* target = nullptr;
  for (const auto& t : shoal::fuzz::targets())
    if (argv[1] == std::string(t.name)) target = &t;
  if (!target) {
    std::cerr << "fuzz_replay: error: unknown target '" << argv[1] << "'\n";
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file() && e.path().filename() != "README.md") files.push_back(e.path());
    } else if (fs::exists(p)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::cout << "replaying " << f.filename().string() << std::endl;
    target->entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::cout << target->name << ": " << files.size() << " inputs replayed\n";
  return 0;
}

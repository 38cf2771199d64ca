#include "shoal/core/cli.hpp"

#include <iostream>

#include "shoal/core/error.hpp"

namespace shoal {

cxxopts::Options make_options(const ToolInfo& info) {
  // The description is printed by run_tool after the usage line; cxxopts would repeat it.
  cxxopts::Options o(info.name, "");
  o.custom_help("[options]");
  o.add_options()("h,help", "print this help and exit")("version", "print the version and exit");
  return o;
}

int run_tool(const ToolInfo& info, cxxopts::Options& options, int argc, char** argv,
             const std::function<int(const cxxopts::ParseResult&)>& body) {
  set_program_name(info.name);
  try {
    cxxopts::ParseResult r;
    try {
      r = options.parse(argc, argv);
    } catch (const cxxopts::exceptions::exception& e) {
      throw UsageError(e.what());
    }
    if (r.count("help")) {
      std::cout << "Usage: " << info.usage << "\n\n"
                << info.description << "\n"
                << options.help() << std::flush;
      return 0;
    }
    if (r.count("version")) {
      std::cout << info.name << " (shoal) " << SHOAL_VERSION << "\n";
      return 0;
    }
    return body(r);
  } catch (const UsageError& e) {
    std::cerr << info.name << ": error: " << e.what() << "\n"
              << "Usage: " << info.usage << "\n"
              << "Try '" << info.name << " --help' for more information.\n";
    return 2;
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << info.name << ": error: " << e.what() << "\n"
              << "Try '" << info.name << " --help' for more information.\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << info.name << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << info.name << ": error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << info.name << ": error: " << e.what() << "\n";
    return 1;
  }
}

std::string single_input(const cxxopts::ParseResult& r, const std::string& key) {
  if (!r.count(key)) return "-";
  const auto& v = r[key].as<std::vector<std::string>>();
  if (v.size() > 1) throw UsageError("more than one input given");
  return v.empty() ? "-" : v[0];
}

}  // namespace shoal

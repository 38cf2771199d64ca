// Reading Yosys' `sta` output into the report's timing numbers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

// Internal to libcommon/targets: read_sta is not part of the library's interface.
#include "../../libcommon/targets/synth_internal.hpp"

namespace fs = std::filesystem;
using shoal::synth_detail::read_sta;

namespace {

fs::path write_text(const std::string& name, const std::string& text) {
  fs::path p = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(p) << text;
  return p;
}

}  // namespace

// sta warns about a primitive without delays more than once in a large design (CNV's:
// RAMB36E2 30 times, RAMB18E2 15 times); the timing key names each type once, in order.
TEST(SynthSta, NamesEachCellTypeWithoutDelaysOnce) {
  fs::path p = write_text("sta-repeated",
                          "Warning: Module 'MUXF9' has no timing arcs!\n"
                          "Warning: Module 'RAMB36E2' has no timing arcs!\n"
                          "Warning: Module 'RAM32M16' has no timing arcs!\n"
                          "Warning: Module 'RAMB36E2' has no timing arcs!\n"
                          "Warning: Module 'RAMB18E2' has no timing arcs!\n"
                          "Warning: Module 'RAMB36E2' has no timing arcs!\n"
                          "Latest arrival time in 'finn_design_wrapper' is 7517:\n");
  auto sta = read_sta(p);
  fs::remove(p);
  EXPECT_EQ(sta.arrival_ps, 7517);
  EXPECT_EQ(sta.cells_without_delays,
            (std::vector<std::string>{"MUXF9", "RAMB36E2", "RAM32M16", "RAMB18E2"}));
}

TEST(SynthSta, NoPathGivesMinusOne) {
  fs::path p = write_text("sta-empty", "No timing paths found.\n");
  auto sta = read_sta(p);
  fs::remove(p);
  EXPECT_EQ(sta.arrival_ps, -1);
  EXPECT_TRUE(sta.cells_without_delays.empty());
}

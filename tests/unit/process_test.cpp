// Coprocess: a helper kept running across requests (the onnx-lib shape inference server).
#include <gtest/gtest.h>

#include "shoal/core/error.hpp"
#include "shoal/core/process.hpp"

using namespace shoal;

TEST(Coprocess, AnswersRequestAfterRequest) {
  Coprocess cat({"cat"});
  // cat answers while it reads, so a request must fit the pipes' buffers (64 KiB).
  for (const std::string& request :
       std::vector<std::string>{"first", std::string(60000, 'x'), "third"}) {
    cat.write(request);
    EXPECT_EQ(cat.read(request.size()), request);
  }
  EXPECT_FALSE(cat.broken());
}

TEST(Coprocess, AProgramThatExitedIsNamedAndBroken) {
  Coprocess done({"true"});
  try {
    // The first write may still land in the pipe; reading then meets the end of its output.
    done.write("request");
    done.read(1);
    FAIL() << "no error from a program that has exited";
  } catch (const Error& e) {
    // Followed by ": Broken pipe" where the write already failed.
    EXPECT_EQ(std::string(e.what()).rfind("true stopped answering (exit 0)", 0), 0u) << e.what();
  }
  EXPECT_TRUE(done.broken());
  EXPECT_THROW(done.read(1), Error);
}

TEST(Coprocess, AProgramKilledBySignalSaysSo) {
  // It reads the request, then dies as a helper that crashes on an input would.
  Coprocess crash({"sh", "-c", "head -c 5 > /dev/null; kill -SEGV $$"});
  crash.write("input");
  try {
    crash.read(1);
    FAIL() << "no error from a program that was killed";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "sh stopped answering (killed by signal 11)");
  }
}

TEST(Coprocess, AMissingProgramIsNamed) {
  try {
    Coprocess missing({"shoal-no-such-program"});
    FAIL() << "no error for a missing program";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "cannot run shoal-no-such-program: No such file or directory");
  }
}

#include "tools/import/progress.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::import {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// What `run` writes through a Progress into a memory stream.
template <typename Run>
std::string Capture(bool interactive, Run run) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buffer, &size);
  {
    Progress progress("events sent", 200, out, interactive);
    run(progress);
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(ProgressTest, WithoutATerminalPrintsALinePerTenPercent) {
  const std::string text = Capture(false, [](Progress& progress) {
    for (int done = 1; done <= 200; ++done) progress.Update(done);
    progress.Finish();
  });
  // 0% .. 90% (10 lines), then Finish's line instead of a 100% line.
  EXPECT_EQ(CountLines(text), 11) << text;
  EXPECT_THAT(text, StartsWith("events sent: 0% 1/200"));
  EXPECT_THAT(text, HasSubstr("events sent: 90% 180/200"));
  EXPECT_THAT(text, HasSubstr("events sent: done, 200 in "));
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(ProgressTest, OnATerminalRedrawsOneLine) {
  const std::string text = Capture(true, [](Progress& progress) {
    progress.Update(100);
    progress.Update(101);  // same percent: no redraw
    progress.Finish();
  });
  EXPECT_EQ(CountLines(text), 1) << text;
  EXPECT_THAT(text, StartsWith("\revents sent [###############...............]"
                               "  50% 100/200"));
  EXPECT_THAT(text, HasSubstr("\revents sent [##############################]"
                              " 100% 200/200"));
}

}  // namespace
}  // namespace smartshop::import

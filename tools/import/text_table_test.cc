#include "tools/import/text_table.h"

#include "gtest/gtest.h"

namespace smartshop::import {
namespace {

TEST(TextTableTest, PadsColumnsAndAlignsNumbers) {
  TextTable table({{"id", TextTable::Align::kRight}, {"name"}});
  table.AddRow({"7", "LANTERN"});
  table.AddRow({"1234", "CAFÉ MUG"});
  EXPECT_EQ(table.Render(),
            "  id  name\n"
            "----  --------\n"
            "   7  LANTERN\n"
            "1234  CAFÉ MUG\n");
}

TEST(EllipsizeTest, CutsLongText) {
  EXPECT_EQ(Ellipsize("short", 10), "short");
  EXPECT_EQ(Ellipsize("WHITE HANGING HEART", 10), "WHITE H...");
  EXPECT_EQ(Ellipsize("ÉÉÉÉÉÉ", 5), "ÉÉ...");
}

}  // namespace
}  // namespace smartshop::import

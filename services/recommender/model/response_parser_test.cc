#include "services/recommender/model/response_parser.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

std::vector<std::string> Products(const std::vector<ModelPick>& picks) {
  std::vector<std::string> out;
  for (const auto& p : picks) out.push_back(p.product);
  return out;
}

constexpr char kArray[] =
    R"j([{"product": "Mug (Kitchen)", "relevance_score": 95.5, "reason": "Popular"},
        {"product": "Teapot (Kitchen)", "relevance_score": 88, "reason": "Trending"}])j";

TEST(ParseModelReplyTest, ParsesABareArray) {
  auto picks = ParseModelReply(kArray);
  ASSERT_TRUE(picks.ok()) << picks.status();
  ASSERT_EQ(picks->size(), 2u);
  EXPECT_EQ((*picks)[0].product, "Mug (Kitchen)");
  EXPECT_DOUBLE_EQ((*picks)[0].relevance_score, 95.5);
  EXPECT_EQ((*picks)[0].reason, "Popular");
}

TEST(ParseModelReplyTest, ParsesJsonInsideMarkdownFence) {
  auto picks = ParseModelReply(absl::StrCat("```json\n", kArray, "\n```"));
  ASSERT_TRUE(picks.ok()) << picks.status();
  EXPECT_EQ(picks->size(), 2u);
  auto plain = ParseModelReply(absl::StrCat("```\n", kArray, "\n```"));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->size(), 2u);
}

TEST(ParseModelReplyTest, FindsTheArrayInsideProse) {
  auto picks = ParseModelReply(
      absl::StrCat("Sure! Here are my picks:\n", kArray, "\nEnjoy shopping."));
  ASSERT_TRUE(picks.ok()) << picks.status();
  EXPECT_THAT(Products(*picks),
              ElementsAre("Mug (Kitchen)", "Teapot (Kitchen)"));
}

TEST(ParseModelReplyTest, AcceptsAnObjectHoldingTheArray) {
  auto picks =
      ParseModelReply(absl::StrCat(R"({"recommendations": )", kArray, "}"));
  ASSERT_TRUE(picks.ok()) << picks.status();
  EXPECT_EQ(picks->size(), 2u);
  auto other_key = ParseModelReply(absl::StrCat(R"({"top": )", kArray, "}"));
  ASSERT_TRUE(other_key.ok());
  EXPECT_EQ(other_key->size(), 2u);
}

TEST(ParseModelReplyTest, TakesAtMostEight) {
  std::string many = "[";
  for (int i = 0; i < 12; ++i) {
    absl::StrAppend(&many, i ? "," : "", R"({"product": "P)", i, "\"}");
  }
  many += "]";
  auto picks = ParseModelReply(many);
  ASSERT_TRUE(picks.ok());
  EXPECT_EQ(picks->size(), 8u);
  EXPECT_EQ(picks->back().product, "P7");
}

TEST(ParseModelReplyTest, DefaultsAndClampsScores) {
  auto picks = ParseModelReply(R"([
      {"product": "A"},
      {"product": "B", "relevance_score": 250},
      {"product": "C", "relevance_score": -3},
      {"product": "D", "relevance_score": "91%"},
      {"product": "E", "relevance_score": "high"}])");
  ASSERT_TRUE(picks.ok());
  EXPECT_THAT(*picks, ElementsAre(Field(&ModelPick::relevance_score, 80.0),
                                  Field(&ModelPick::relevance_score, 100.0),
                                  Field(&ModelPick::relevance_score, 0.0),
                                  Field(&ModelPick::relevance_score, 91.0),
                                  Field(&ModelPick::relevance_score, 80.0)));
}

TEST(ParseModelReplyTest, SkipsEntriesWithoutAProduct) {
  auto picks = ParseModelReply(
      R"([{"name": "X"}, 42, {"product": 7}, {"product": "Mug"}])");
  ASSERT_TRUE(picks.ok());
  EXPECT_THAT(Products(*picks), ElementsAre("Mug"));
}

TEST(ParseModelReplyTest, GarbageIsAnError) {
  for (const char* reply : {"I cannot help with that.", "[not json",
                            R"({"no": "array"})", "[]", R"([{"x": 1}])", ""}) {
    EXPECT_EQ(ParseModelReply(reply).status().code(),
              absl::StatusCode::kInvalidArgument)
        << reply;
  }
}

TEST(SanitizeReasonTest, StripsControlCharactersAndTrims) {
  EXPECT_EQ(SanitizeReason("  Often\nbought\twith \x1b[31mtea\x07 ", 200),
            "Often bought with  [31mtea");
}

TEST(SanitizeReasonTest, CutsAtACharacterBoundary) {
  const std::string reason = "caf\xC3\xA9 au lait";  // "café au lait"
  EXPECT_EQ(SanitizeReason(reason, 4), "caf\xC3\xA9");
  EXPECT_EQ(SanitizeReason(std::string(500, 'x'), kMaxReasonChars).size(),
            kMaxReasonChars);
}

TEST(ResponseParserTest, AcceptsProductIdsFromTheHybridPrompt) {
  auto picks = ParseModelReply(
      R"([{"product_id": 12, "relevance_score": 91, "reason": "ok"},
          {"product_id": -3}, {"product_id": "7"}, {"relevance_score": 5}])");
  ASSERT_TRUE(picks.ok()) << picks.status();
  ASSERT_EQ(picks->size(), 1u);
  EXPECT_EQ((*picks)[0].product_id, 12);
  EXPECT_TRUE((*picks)[0].product.empty());
}

}  // namespace
}  // namespace smartshop::recommender

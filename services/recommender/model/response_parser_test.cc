#include "services/recommender/model/response_parser.h"

#include "absl/strings/str_cat.h"
#include "boost/json.hpp"
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

std::string Picks(const std::string& items) {
  return absl::StrCat(R"({"recommendations":[)", items, "]}");
}

TEST(ParseStructuredReplyTest, ReadsTheSchemaObjectByName) {
  auto picks = ParseStructuredReply(
      Picks(
          R"j({"product":"Mug (Kitchen)","relevance_score":95.5,"reason":" Hot\n"},)j"
          R"j({"product":"Teapot (Kitchen)","relevance_score":0,"reason":""})j"),
      PickKey::kProductName);
  ASSERT_TRUE(picks.ok()) << picks.status();
  EXPECT_THAT(Products(*picks),
              ElementsAre("Mug (Kitchen)", "Teapot (Kitchen)"));
  EXPECT_DOUBLE_EQ((*picks)[0].relevance_score, 95.5);
  EXPECT_EQ((*picks)[0].reason, "Hot");
  EXPECT_EQ((*picks)[1].relevance_score, 0);
}

TEST(ParseStructuredReplyTest, ReadsTheSchemaObjectById) {
  auto picks = ParseStructuredReply(
      Picks(R"({"product_id":7,"relevance_score":100,"reason":"r"})"),
      PickKey::kProductId);
  ASSERT_TRUE(picks.ok()) << picks.status();
  ASSERT_EQ(picks->size(), 1u);
  EXPECT_EQ((*picks)[0].product_id, 7);
  EXPECT_EQ((*picks)[0].product, "");
}

TEST(ParseStructuredReplyTest, CutsALongReasonTo200Characters) {
  auto picks = ParseStructuredReply(
      Picks(absl::StrCat(R"({"product":"Mug","relevance_score":1,"reason":")",
                         std::string(300, 'x'), R"("})")),
      PickKey::kProductName);
  ASSERT_TRUE(picks.ok()) << picks.status();
  EXPECT_EQ((*picks)[0].reason.size(), 200u);
}

TEST(ParseStructuredReplyTest, EveryDepartureFromTheSchemaIsRejected) {
  const std::string ok =
      R"({"product":"Mug","relevance_score":50,"reason":"r"})";
  std::string nine;
  for (int i = 0; i < 9; ++i) absl::StrAppend(&nine, i ? "," : "", ok);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not JSON"},
      {absl::StrCat("```json\n", Picks(ok), "\n```"), "not JSON"},
      {absl::StrCat("[", ok, "]"), "not an object"},
      {R"({"products":[]})", "no \"recommendations\" array"},
      {absl::StrCat(R"({"extra":1,"recommendations":[)", ok, "]}"),
       "fields besides"},
      {Picks(""), "no recommendations"},
      {Picks(nine), "9 recommendations, at most 8"},
      {Picks(R"({"product":"Mug","relevance_score":50})"), "exactly"},
      {Picks(R"({"product":"Mug","relevance_score":50,"reason":"r","x":1})"),
       "exactly"},
      {Picks(R"({"product":3,"relevance_score":50,"reason":"r"})"),
       "product is not a string"},
      {Picks(R"({"product":" ","relevance_score":50,"reason":"r"})"),
       "product is empty"},
      {Picks(R"({"product":"Mug","relevance_score":"90","reason":"r"})"),
       "not a number"},
      {Picks(R"({"product":"Mug","relevance_score":100.5,"reason":"r"})"),
       "outside 0-100"},
      {Picks(R"({"product":"Mug","relevance_score":-1,"reason":"r"})"),
       "outside 0-100"},
      {Picks(R"({"product":"Mug","relevance_score":5,"reason":null})"),
       "reason is not a string"},
  };
  for (const auto& [reply, why] : cases) {
    auto picks = ParseStructuredReply(reply, PickKey::kProductName);
    EXPECT_EQ(picks.status().code(), absl::StatusCode::kInvalidArgument)
        << reply;
    EXPECT_THAT(picks.status().message(), ::testing::HasSubstr(why)) << reply;
  }
  // By id: a name where an id belongs, or an id that cannot be one.
  for (const char* item :
       {R"({"product":"Mug","relevance_score":5,"reason":"r"})",
        R"({"product_id":0,"relevance_score":5,"reason":"r"})",
        R"({"product_id":2.5,"relevance_score":5,"reason":"r"})"}) {
    EXPECT_FALSE(ParseStructuredReply(Picks(item), PickKey::kProductId).ok())
        << item;
  }
}

TEST(PicksSchemaTest, IsStrictModeShaped) {
  for (PickKey key : {PickKey::kProductName, PickKey::kProductId}) {
    const ResponseSchema schema = PicksSchema(key);
    const boost::json::object& root = schema.schema.as_object();
    EXPECT_EQ(root.at("type"), "object");
    EXPECT_EQ(root.at("additionalProperties"), false);
    const boost::json::object& list =
        root.at("properties").at("recommendations").as_object();
    EXPECT_EQ(list.at("maxItems").as_int64(), 8);
    const boost::json::object& item = list.at("items").as_object();
    EXPECT_EQ(item.at("additionalProperties"), false);
    const boost::json::object& properties = item.at("properties").as_object();
    // Strict mode: every property is required.
    EXPECT_EQ(item.at("required").as_array().size(), properties.size());
    EXPECT_EQ(properties.at("relevance_score").at("maximum").as_int64(), 100);
    // maxLength is left out (strict mode has rejected it).
    EXPECT_EQ(properties.at("reason").as_object().if_contains("maxLength"),
              nullptr);
    const char* product = key == PickKey::kProductId ? "product_id" : "product";
    EXPECT_EQ(properties.at(product).at("type"),
              key == PickKey::kProductId ? "integer" : "string");
  }
}

}  // namespace
}  // namespace smartshop::recommender

#include "services/recommender/experiments/assignment.h"

#include <array>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace smartshop::recommender::experiments {
namespace {

using smartshop::v1::Experiment;

constexpr int kKeys = 100000;

Experiment MakeExperiment(const std::string& name, const std::string& salt,
                          const std::vector<double>& weights, double holdout) {
  Experiment experiment;
  experiment.set_name(name);
  experiment.set_salt(salt);
  experiment.set_holdout(holdout);
  const std::array<const char*, 4> names = {"builtin", "model", "top_sellers",
                                            "hybrid"};
  for (size_t i = 0; i < weights.size(); ++i) {
    auto* variant = experiment.add_variants();
    variant->set_name(names[i]);
    variant->set_weight(weights[i]);
  }
  return experiment;
}

std::string Key(int i) { return absl::StrCat("user:", i); }

TEST(AssignmentTest, SameShopperSameVariant) {
  const Experiment experiment =
      MakeExperiment("home-ranker", "", {1, 2, 1}, 0.1);
  for (int i = 0; i < 1000; ++i) {
    const Assignment first = Assign(experiment, Key(i));
    EXPECT_EQ(Assign(experiment, Key(i)), first);
    // A copy of the experiment (as after a reload) agrees.
    const Experiment copy = experiment;
    EXPECT_EQ(Assign(copy, Key(i)), first);
  }
}

TEST(AssignmentTest, IndexAndNameAgree) {
  const Experiment experiment =
      MakeExperiment("home-ranker", "", {1, 2, 1}, 0.1);
  for (int i = 0; i < 1000; ++i) {
    const Assignment a = Assign(experiment, Key(i));
    if (a.index < 0) {
      EXPECT_EQ(a.index, -1);
      EXPECT_EQ(a.variant, kHoldoutVariant);
    } else {
      ASSERT_LT(a.index, experiment.variants_size());
      EXPECT_EQ(a.variant, experiment.variants(a.index).name());
    }
  }
}

// Caught if the hash, the byte order, the separator, the salt default or
// the cut points ever change: that would reshuffle every running
// experiment. The values were computed independently (Python hashlib).
TEST(AssignmentTest, KnownVector) {
  const Experiment experiment =
      MakeExperiment("home-ranker", "", {1, 2, 1}, 0.1);
  struct Case {
    const char* key;
    const char* variant;
    int index;
  };
  const Case cases[] = {
      {"user:1", "holdout", -1},       // u = 0.034072980434833755
      {"user:2", "model", 1},          // u = 0.50535736448804558
      {"user:3", "model", 1},          // u = 0.3860429174004032
      {"user:4", "model", 1},          // u = 0.75573588996423191
      {"user:5", "top_sellers", 2},    // u = 0.98499967266135913
      {"user:6", "builtin", 0},        // u = 0.13785063871156711
      {"user:7", "model", 1},          // u = 0.49220720997723122
      {"user:8", "builtin", 0},        // u = 0.14534287853151273
      {"session:abc", "model", 1},     // u = 0.69598232329414067
      {"session:xyz", "holdout", -1},  // u = 0.030339755479244723
      {"", "top_sellers", 2},          // u = 0.84450530727066819
      {"42", "holdout", -1},           // u = 0.06729074253646472
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Assign(experiment, c.key), (Assignment{c.variant, c.index}))
        << c.key;
  }
  EXPECT_DOUBLE_EQ(AssignmentPoint("home-ranker", "user:1"),
                   0.034072980434833755);
  EXPECT_DOUBLE_EQ(AssignmentPoint("home-ranker", "user:5"),
                   0.98499967266135913);
  // SHA-256("salt\0key") starts 6e5d6c6f47d14756.
  EXPECT_EQ(AssignmentPoint("salt", "key"),
            static_cast<double>(0x6e5d6c6f47d14756ULL >> 11) * 0x1p-53);
}

TEST(AssignmentTest, SharesFollowTheWeightsAndTheHoldout) {
  const Experiment experiment =
      MakeExperiment("home-ranker", "", {1, 2, 1}, 0.1);
  std::array<int, 3> counts = {0, 0, 0};
  int holdout = 0;
  for (int i = 0; i < kKeys; ++i) {
    const Assignment a = Assign(experiment, Key(i));
    if (a.index < 0) {
      ++holdout;
    } else {
      ++counts[a.index];
    }
  }
  // Expected: 10 % holdout, and 90 % split 1:2:1.
  EXPECT_NEAR(holdout / double{kKeys}, 0.1, 0.01);
  EXPECT_NEAR(counts[0] / double{kKeys}, 0.225, 0.01);
  EXPECT_NEAR(counts[1] / double{kKeys}, 0.45, 0.01);
  EXPECT_NEAR(counts[2] / double{kKeys}, 0.225, 0.01);
}

TEST(AssignmentTest, NoHoldoutMeansEveryoneTakesPart) {
  const Experiment experiment = MakeExperiment("ttl", "", {3, 1}, 0);
  int first = 0;
  for (int i = 0; i < kKeys; ++i) {
    const Assignment a = Assign(experiment, Key(i));
    ASSERT_GE(a.index, 0);
    if (a.index == 0) ++first;
  }
  EXPECT_NEAR(first / double{kKeys}, 0.75, 0.01);
}

TEST(AssignmentTest, DifferentSaltsSplitIndependently) {
  const Experiment a = MakeExperiment("home", "home-2026-12", {1, 1}, 0);
  const Experiment b = MakeExperiment("product", "product-2026-12", {1, 1}, 0);
  int joint[2][2] = {{0, 0}, {0, 0}};
  int a_first = 0;
  int b_first = 0;
  for (int i = 0; i < kKeys; ++i) {
    const int x = Assign(a, Key(i)).index;
    const int y = Assign(b, Key(i)).index;
    ++joint[x][y];
    a_first += x == 0;
    b_first += y == 0;
  }
  const double pa = a_first / double{kKeys};
  const double pb = b_first / double{kKeys};
  EXPECT_NEAR(pa, 0.5, 0.01);
  EXPECT_NEAR(pb, 0.5, 0.01);
  // Each cell near the product of its margins (0.25): knowing a shopper's
  // variant in one experiment says nothing about the other.
  for (int x = 0; x < 2; ++x) {
    for (int y = 0; y < 2; ++y) {
      const double expected = (x == 0 ? pa : 1 - pa) * (y == 0 ? pb : 1 - pb);
      EXPECT_NEAR(joint[x][y] / double{kKeys}, expected, 0.01) << x << "," << y;
    }
  }
}

TEST(AssignmentTest, TheSameSaltSplitsIdentically) {
  // Two experiments sharing a salt (and weights) put every shopper in the
  // same arm: why the salt defaults to the (unique) name.
  const Experiment a = MakeExperiment("home", "shared", {1, 1}, 0);
  const Experiment b = MakeExperiment("product", "shared", {1, 1}, 0);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(Assign(a, Key(i)).index, Assign(b, Key(i)).index);
  }
}

TEST(AssignmentTest, AnEmptySaltIsTheName) {
  const Experiment unsalted = MakeExperiment("home-ranker", "", {1, 1}, 0.2);
  const Experiment salted =
      MakeExperiment("renamed", "home-ranker", {1, 1}, 0.2);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(Assign(unsalted, Key(i)), Assign(salted, Key(i)));
  }
}

TEST(AssignmentTest, ChangingSaltReshuffles) {
  const Experiment before = MakeExperiment("home", "v1", {1, 1}, 0);
  const Experiment after = MakeExperiment("home", "v2", {1, 1}, 0);
  int moved = 0;
  for (int i = 0; i < kKeys; ++i) {
    moved += Assign(before, Key(i)).index != Assign(after, Key(i)).index;
  }
  EXPECT_NEAR(moved / double{kKeys}, 0.5, 0.01);
}

TEST(AssignmentTest, ChangingAWeightMovesOnlyTheShoppersAtTheCut) {
  // 1:1 → 1:1.2 moves the cut from 0.5 to 1/2.2 ≈ 0.4545: about 4.5 % of
  // the shoppers change variant, the rest keep theirs.
  const Experiment before = MakeExperiment("home", "", {1, 1}, 0);
  const Experiment after = MakeExperiment("home", "", {1, 1.2}, 0);
  int moved = 0;
  for (int i = 0; i < kKeys; ++i) {
    const int was = Assign(before, Key(i)).index;
    const int is = Assign(after, Key(i)).index;
    if (was != is) {
      ++moved;
      EXPECT_EQ(was, 0);  // only towards the heavier variant
    }
  }
  EXPECT_NEAR(moved / double{kKeys}, 0.5 - 1 / 2.2, 0.01);
}

TEST(AssignmentTest, NoVariantsIsTheHoldout) {
  Experiment experiment;
  experiment.set_name("empty");
  EXPECT_EQ(Assign(experiment, "user:1"),
            (Assignment{std::string(kHoldoutVariant), -1}));
}

TEST(AssignmentPointTest, IsInTheUnitInterval) {
  for (int i = 0; i < 10000; ++i) {
    const double u = AssignmentPoint("salt", Key(i));
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(AssignmentPointTest, TheSeparatorKeepsSaltAndKeyApart) {
  EXPECT_NE(AssignmentPoint("ab", "c"), AssignmentPoint("a", "bc"));
}

}  // namespace
}  // namespace smartshop::recommender::experiments

// The masker: every occurrence of every secret, longest first, multi-line secrets whole and
// line by line.
#include "executor/mask.h"

#include <gtest/gtest.h>

namespace drplan {
namespace {

TEST(MaskTest, MasksEveryOccurrence) {
  Masker m;
  m.add("hunter2");
  EXPECT_EQ(m.mask("pw=hunter2 again hunter2hunter2."), "pw=**** again ********.");
  EXPECT_EQ(m.mask("nothing here"), "nothing here");
}

TEST(MaskTest, ShortSecretsAreMaskedTooButNotTheEmptyOne) {
  Masker m;
  m.add("");
  EXPECT_TRUE(m.empty());
  m.add("ab");
  EXPECT_EQ(m.mask("xaby"), "x****y");
}

TEST(MaskTest, ASecretContainingAnotherIsMaskedWhole) {
  Masker m;
  m.add("pass");
  m.add("password123");
  EXPECT_EQ(m.mask("password123 pass"), "**** ****");
}

TEST(MaskTest, MultiLineSecretsAreMaskedWholeAndLineByLine) {
  Masker m;
  m.add("-----BEGIN KEY-----\nAAAABBBBCCCCDDDD\nEEEEFFFFGGGG\n-----END KEY-----");
  EXPECT_EQ(m.mask("key: -----BEGIN KEY-----\nAAAABBBBCCCCDDDD\nEEEEFFFFGGGG\n-----END KEY----- ok"), "key: **** ok");
  // An output tail may start in the middle of the key.
  EXPECT_EQ(m.mask("...\nEEEEFFFFGGGG\n-----END"), "...\n****\n-----END");
  // ... or show only its last line.
  Masker two;
  two.add("first-line-secret\nsecond-line-secret");
  EXPECT_EQ(two.mask("tail: second-line-secret"), "tail: ****");
}

TEST(MaskTest, AMaskedValueIsNotUnmaskedByAnotherSecret) {
  Masker m;
  m.add("****x");  // pathological: a secret that contains the mask itself
  m.add("abc");
  EXPECT_EQ(m.mask("abc ****x").find("abc"), std::string::npos);
}

}  // namespace
}  // namespace drplan

// The masker: every occurrence of every secret, multi-line secrets whole and line by line
// (lines of any length), secrets cut at a boundary, and a stream masked across its pieces.
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

TEST(MaskTest, EveryLineOfAMultiLineSecretIsMaskedWhateverItsLength) {
  Masker m;
  m.add("long-first-line\r\nab\r\n  \r\nZ");
  EXPECT_EQ(m.mask("x ab y"), "x **** y") << "a 2-byte line";
  EXPECT_EQ(m.mask("Z"), "****") << "a 1-byte last line";
  EXPECT_EQ(m.mask("a  b"), "a  b") << "a line of blanks is not a secret";
  EXPECT_EQ(m.mask("long-first-line"), "****") << "the CR of a CRLF file is not part of the line";
}

TEST(MaskTest, AOneCharacterSecretMasksEveryOccurrenceShown) {
  Masker m;
  m.add("5");
  EXPECT_EQ(m.mask("15"), "1****");
  EXPECT_EQ(m.mask("155"), "1********") << "adjacent occurrences stay separate";
  Masker o;
  o.add("aba");
  EXPECT_EQ(o.mask("xababay"), "x****y") << "overlapping occurrences are one";
}

TEST(MaskTest, ASecretCutAtABoundaryIsMaskedThere) {
  Masker m;
  m.add("hunter2-secret");
  EXPECT_EQ(m.mask("cret and more", Masker::kCutAtStart), "**** and more");
  EXPECT_EQ(m.mask("text hunt", Masker::kCutAtEnd), "text ****");
  EXPECT_EQ(m.mask("t middle h", Masker::kCutAtStart | Masker::kCutAtEnd), "**** middle ****");
  EXPECT_EQ(m.mask("cret and hunt"), "cret and hunt") << "no cut, no partial masking";
  EXPECT_EQ(m.mask("hunter2-secret", Masker::kCutAtStart), "****");
}

TEST(MaskTest, AStreamIsMaskedAcrossItsPieces) {
  Masker m;
  m.add("hunter2-secret");
  m.add("5");
  StreamMasker stream(m);
  std::string shown;
  for (std::string_view piece : {"xxxxxxxxxxxxxxxxhun", "ter2-sec", "ret 15 ", "55 h", "unter2-secret"}) {
    std::string out = stream.feed(piece);
    EXPECT_EQ(out.find("hun"), std::string::npos) << out;
    EXPECT_EQ(out.find("ret"), std::string::npos) << out;
    shown += out;
  }
  shown += stream.flush();
  EXPECT_EQ(shown, "xxxxxxxxxxxxxxxx**** 1**** ******** ****");
  EXPECT_EQ(stream.flush(), "");
}

TEST(MaskTest, AStreamWithoutSecretsPassesThrough) {
  Masker none;
  StreamMasker stream(none);
  EXPECT_EQ(stream.feed("abc"), "abc");
  EXPECT_EQ(stream.flush(), "");
}

}  // namespace
}  // namespace drplan

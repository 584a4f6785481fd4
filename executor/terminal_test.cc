// What reaches the operator's terminal: control bytes rendered as text, and the color
// decision robust to an unset TERM.
#include "executor/terminal.h"

#include <gtest/gtest.h>

namespace drplan {
namespace {

TEST(VisibleControls, RendersEscapesVisibly) {
  EXPECT_EQ(visible_controls("\033[2J\033]0;pwned\007ok"), "\\x1b[2J\\x1b]0;pwned\\x07ok");
  EXPECT_EQ(visible_controls("50%\r60%\b\b\x7f"), "50%\\x0d60%\\x08\\x08\\x7f");
  EXPECT_EQ(visible_controls("a\nb"), "a\\x0ab") << "a line break inside one shown line";
  EXPECT_EQ(visible_controls("col1\tcol2"), "col1\tcol2");
  EXPECT_EQ(visible_controls("a\n\033b\r", /*keep_newlines=*/true), "a\n\\x1bb\\x0d");
}

TEST(VisibleControls, RendersC1ControlsAndInvalidBytesButKeepsUtf8) {
  EXPECT_EQ(visible_controls("\xc2\x9b" "31m"), "\\u009b31m") << "U+009B is an 8-bit CSI";
  EXPECT_EQ(visible_controls("\x9b" "31m"), "\\x9b31m") << "a lone 0x9B byte, not UTF-8";
  EXPECT_EQ(visible_controls("\xe2\x9c\x93 déjà \xf0\x9f\x99\x82"), "\xe2\x9c\x93 déjà \xf0\x9f\x99\x82");
  EXPECT_EQ(visible_controls("\xc0\xaf"), "\\xc0\\xaf") << "an overlong encoding";
  EXPECT_EQ(visible_controls("\xe2\x9c"), "\\xe2\\x9c") << "a cut sequence";
  EXPECT_EQ(visible_controls(""), "");
}

TEST(ColorWanted, UnsetOrDumbTermMeansNoColor) {
  EXPECT_TRUE(color_wanted(true, nullptr, "xterm-256color"));
  EXPECT_FALSE(color_wanted(true, nullptr, nullptr)) << "TERM unset";
  EXPECT_FALSE(color_wanted(true, nullptr, ""));
  EXPECT_FALSE(color_wanted(true, nullptr, "dumb"));
  EXPECT_FALSE(color_wanted(true, "1", "xterm"));
  EXPECT_FALSE(color_wanted(false, nullptr, "xterm"));
}

}  // namespace
}  // namespace drplan

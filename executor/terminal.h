#pragma once
// What reaches an operator's terminal. Step output, reasons and titles are data: a command
// may print escape sequences (clear the screen, retitle the window, rewrite a line with CR or
// backspaces, OSC 52 into the clipboard). Shown text passes through visible_controls() so
// that such bytes are rendered as text; journals keep the bytes as data (JSON-escaped).
#include <string>
#include <string_view>

namespace drplan {

/// Renders every control character visibly: C0 controls (ESC, BEL, BS, CR, LF...) and DEL
/// as \xNN, C1 controls (U+0080..U+009F, of which U+009B is a CSI) as \u00NN, bytes that
/// are not UTF-8 as \xNN. A tab stays a tab. Everything else is kept as it is.
/// `keep_newlines`: for blocks printed line by line, '\n' stays a line break.
std::string visible_controls(std::string_view text, bool keep_newlines = false);

/// Whether the terminal named by TERM can move the cursor (redraw lines in place): TERM
/// set and not "dumb".
bool redraw_supported();

/// Whether to color output on `fd`: a terminal, NO_COLOR unset, TERM set and not "dumb".
bool color_wanted(int fd);
/// The same decision from its inputs (for tests); null pointers are unset variables.
bool color_wanted(bool is_tty, const char* no_color, const char* term);

}  // namespace drplan

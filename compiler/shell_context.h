#pragma once
// Tracks where in a POSIX shell command an interpolation lands. The compiler feeds the
// command text the author wrote (never data) through a ShellScanner and asks, at each
// `${...}`, which quoting context is open there: an unquoted word, "...", $(...) and
// backquotes (nested, with a stack), or a place where no quoting makes a value safe
// ('...', heredocs, comments, case patterns, a pending `\` or `$`). The model is Go's
// html/template, which escapes each action by the context a parser tracks through the
// template. What the scanner does not understand it reports as unsafe, never as a word.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace drplan {

enum class ShellPlace {
  Word,              ///< unquoted (also inside $(...) and backquotes): a quoted word joins it
  DoubleQuoted,      ///< inside "...": close the quotes, a quoted word, reopen them
  Arithmetic,        ///< $(( )) or (( )): only numbers
  SingleQuoted,      ///< '...': nothing can be inserted safely
  AnsiQuoted,        ///< $'...' (bash only; dash reads it differently)
  Comment,
  HeredocBody,
  HeredocDelimiter,
  ParamExpansion,    ///< inside the shell's own ${...}
  CasePattern,
  AfterBackslash,    ///< `\` right before the value would escape its opening quote
  AfterDollar,       ///< `$` right before the value would make `$'...'`
  BackquoteInDouble, ///< "...`...`...": dash and bash unescape it differently
  Confused,          ///< after a construct the scanner cannot follow (see reason)
};

struct ShellPoint {
  ShellPlace place = ShellPlace::Word;
  int backquotes = 0;   ///< enclosing backquote substitutions
  std::string reason;   ///< for Confused
};

/// Why a value cannot go at `p`, and what to write instead; empty when it can.
struct ShellAdvice {
  std::string message;
  std::string help;
};
ShellAdvice shell_advice(const ShellPoint& p);

class ShellScanner {
 public:
  ShellScanner();
  ~ShellScanner();
  ShellScanner(const ShellScanner&) = delete;
  ShellScanner& operator=(const ShellScanner&) = delete;

  /// Command text the author wrote.
  void feed(std::string_view code);
  /// Where a value inserted now lands; the value then counts as part of the current word.
  ShellPoint insert_value();
  /// At the end of the command: empty, or what is left open ("a \" quote").
  std::string finish();

 private:
  enum class Frame { Top, Subst, Double, Single, Ansi, Arith, Param, Comment, Heredoc, Case };
  enum class CaseState { Subject, Patterns, Body };
  struct State {
    explicit State(Frame f) : frame(f) {}
    Frame frame;
    int depth = 0;  ///< parentheses or braces inside the frame
    CaseState case_state = CaseState::Subject;
    std::string delimiter;  ///< Heredoc
    bool strip_tabs = false;
  };
  struct PendingHeredoc {
    std::string delimiter;
    bool strip_tabs = false;
  };
  static constexpr int kEnd = -1;
  static constexpr int kValue = -2;

  void drain(int boundary);
  /// Handles buf_[pos_]; returns how many bytes it consumed (0: needs more lookahead).
  size_t step(int boundary);
  int peek(size_t k, int boundary) const;
  size_t step_command(char c, int boundary);
  size_t step_double(char c, int boundary);
  size_t step_backquoted(char c, int boundary);
  size_t step_delimiter(char c, int boundary);
  size_t dollar(int boundary);
  void end_word();
  void push(Frame f) { stack_.push_back(State{f}); }
  Frame top() const { return stack_.back().frame; }
  bool command_like() const;
  void newline();

  std::vector<State> stack_;
  std::string buf_;
  size_t pos_ = 0;
  bool word_start_ = true;
  bool command_pos_ = true;   ///< the next word would be a command name (for `case`)
  std::string word_;          ///< the current unquoted word, while it may be a keyword
  bool word_plain_ = true;
  std::vector<PendingHeredoc> heredocs_;
  // Reading a heredoc's delimiter after `<<`:
  bool delim_active_ = false;
  bool delim_started_ = false;
  bool delim_strip_ = false;
  char delim_quote_ = 0;
  std::string delim_;
  std::string line_;          ///< the heredoc body's current line
  // Inside backquotes: the inner command, as the shell sees it after unescaping.
  std::unique_ptr<ShellScanner> inner_;
  bool inner_in_double_ = false;
  std::string confused_;      ///< set once: every later value is refused
  std::string inner_error_;   ///< an unclosed construct inside backquotes
};

}  // namespace drplan

#include "compiler/shell_context.h"

#include <algorithm>
#include <array>

namespace drplan {

namespace {

constexpr int kMore = -3;  // the next byte is not known yet

bool reserved_before_command(std::string_view w) {
  static constexpr std::array<std::string_view, 10> kWords = {"if", "then", "else", "elif", "while",
                                                             "until", "do", "!", "{", "time"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

bool delimiter_ends(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' ||
         c == '(' || c == ')';
}

}  // namespace

ShellAdvice shell_advice(const ShellPoint& p) {
  switch (p.place) {
    case ShellPlace::Word: case ShellPlace::DoubleQuoted: return {};
    case ShellPlace::Arithmetic:
      return {"only a number can be interpolated inside shell arithmetic",
              "compute outside the arithmetic: n=${x}; echo $((n + 1)) (arithmetic evaluates names in a value)"};
    case ShellPlace::SingleQuoted:
      return {"interpolation inside '...' cannot be quoted safely",
              "close the quote around it: 'text '${x}' more' (drplan quotes the value itself)"};
    case ShellPlace::AnsiQuoted:
      return {"interpolation inside $'...' cannot be quoted safely", "close the quote around it"};
    case ShellPlace::Comment:
      return {"interpolation inside a shell comment", "move the value out of the comment, or drop the '#'"};
    case ShellPlace::HeredocBody:
      return {"interpolation inside a heredoc body cannot be quoted safely",
              "pass the value as an argument or on stdin: printf '%s\\n' ${x} | cmd"};
    case ShellPlace::HeredocDelimiter:
      return {"a heredoc delimiter cannot be interpolated", "write the delimiter literally: <<'EOF'"};
    case ShellPlace::ParamExpansion:
      return {"interpolation inside the shell's own ${...} cannot be quoted safely",
              "assign the value first: d=${x}; echo \"${v:-$d}\" (write \\${ for the shell's)"};
    case ShellPlace::CasePattern:
      return {"interpolation as a case pattern",
              "compare with test instead: [ \"$v\" = ${x} ] (a pattern from data would match by glob)"};
    case ShellPlace::AfterBackslash:
      return {"interpolation right after a backslash", "the backslash would escape the value's quoting; remove it"};
    case ShellPlace::AfterDollar:
      return {"interpolation right after '$'", "write $$ or \\$ for a literal dollar, or drop it"};
    case ShellPlace::BackquoteInDouble:
      return {"interpolation inside backquotes inside \"...\"", "use $(...) instead of backquotes"};
    case ShellPlace::Confused:
      return {"interpolation after " + p.reason, "rewrite the command without it, or pass the value on stdin"};
  }
  return {};
}

ShellScanner::ShellScanner() { stack_.push_back(State{Frame::Top}); }
ShellScanner::~ShellScanner() = default;

int ShellScanner::peek(size_t k, int boundary) const {
  size_t i = pos_ + k;
  return i < buf_.size() ? static_cast<unsigned char>(buf_[i]) : boundary;
}

bool ShellScanner::command_like() const {
  Frame f = top();
  return f == Frame::Top || f == Frame::Subst || f == Frame::Case;
}

void ShellScanner::feed(std::string_view code) {
  buf_.append(code);
  drain(kMore);
}

void ShellScanner::drain(int boundary) {
  while (pos_ < buf_.size()) {
    size_t n = step(boundary);
    if (n == 0) break;
    pos_ += n;
  }
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 4096) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

void ShellScanner::end_word() {
  if (word_start_) return;
  word_start_ = true;
  const bool plain = word_plain_;
  if (plain && command_pos_ && word_ == "case") {
    push(Frame::Case);
    command_pos_ = false;
    return;
  }
  if (top() == Frame::Case && plain) {
    State& s = stack_.back();
    if (s.case_state == CaseState::Subject && word_ == "in") {
      s.case_state = CaseState::Patterns;
      command_pos_ = false;
      return;
    }
    if (word_ == "esac" && (s.case_state == CaseState::Patterns || command_pos_)) {
      stack_.pop_back();
      command_pos_ = false;
      return;
    }
  }
  if (plain && command_pos_ && reserved_before_command(word_)) return;
  command_pos_ = false;
}

void ShellScanner::newline() {
  word_start_ = true;
  command_pos_ = true;
  if (heredocs_.empty()) return;
  State s{Frame::Heredoc};
  s.delimiter = heredocs_.front().delimiter;
  s.strip_tabs = heredocs_.front().strip_tabs;
  heredocs_.erase(heredocs_.begin());
  stack_.push_back(std::move(s));
  line_.clear();
}

size_t ShellScanner::step(int boundary) {
  char c = buf_[pos_];
  if (inner_) return step_backquoted(c, boundary);
  if (delim_active_) return step_delimiter(c, boundary);
  switch (top()) {
    case Frame::Single:
      if (c == '\'') stack_.pop_back();
      return 1;
    case Frame::Ansi:
      if (c == '\\') {
        int n = peek(1, boundary);
        if (n == kMore) return 0;
        return n >= 0 ? 2 : 1;
      }
      if (c == '\'') stack_.pop_back();
      return 1;
    case Frame::Comment:
      if (c == '\n') {
        stack_.pop_back();
        newline();
      }
      return 1;
    case Frame::Heredoc: {
      if (c != '\n') {
        line_ += c;
        return 1;
      }
      State& s = stack_.back();
      std::string_view l = line_;
      if (s.strip_tabs)
        while (!l.empty() && l.front() == '\t') l.remove_prefix(1);
      bool end = l == s.delimiter;
      line_.clear();
      if (end) {
        stack_.pop_back();
        newline();  // a second heredoc on the same command line starts now
      }
      return 1;
    }
    case Frame::Double: return step_double(c, boundary);
    case Frame::Arith:
      if (c == '(') {
        ++stack_.back().depth;
        return 1;
      }
      if (c == ')') {
        if (stack_.back().depth > 0) {
          --stack_.back().depth;
          return 1;
        }
        int n = peek(1, boundary);
        if (n == kMore) return 0;
        stack_.pop_back();
        word_start_ = false;
        word_plain_ = false;
        return n == ')' ? 2 : 1;
      }
      if (c == '$') return dollar(boundary);
      if (c == '"') push(Frame::Double);
      else if (c == '\'') push(Frame::Single);
      else if (c == '`') inner_ = std::make_unique<ShellScanner>(), inner_in_double_ = false;
      return 1;
    case Frame::Param: {
      if (c == '\\') {
        int n = peek(1, boundary);
        if (n == kMore || n == kValue) return 0;
        return n >= 0 ? 2 : 1;
      }
      if (c == '}') {
        if (stack_.back().depth > 0) --stack_.back().depth;
        else stack_.pop_back();
        return 1;
      }
      if (c == '{') ++stack_.back().depth;
      else if (c == '$') return dollar(boundary);
      else if (c == '"') push(Frame::Double);
      else if (c == '\'' && stack_.size() >= 2 && stack_[stack_.size() - 2].frame != Frame::Double) push(Frame::Single);
      else if (c == '`') inner_ = std::make_unique<ShellScanner>(), inner_in_double_ = false;
      return 1;
    }
    case Frame::Top: case Frame::Subst: case Frame::Case: return step_command(c, boundary);
  }
  return 1;
}

size_t ShellScanner::dollar(int boundary) {
  int n = peek(1, boundary);
  if (n == kMore || n == kValue) return 0;
  word_plain_ = false;
  if (word_start_) word_start_ = false, word_.clear();
  const bool quoted = top() == Frame::Double;
  if (n == '(') {
    int m = peek(2, boundary);
    if (m == kMore) return 0;
    if (m == '(') {
      push(Frame::Arith);
      return 3;
    }
    push(Frame::Subst);
    word_start_ = true;
    command_pos_ = true;
    return 2;
  }
  if (n == '{') {
    push(Frame::Param);
    return 2;
  }
  if (!quoted && n == '\'') {
    push(Frame::Ansi);
    if (confused_.empty()) confused_ = "$'...' (bash reads its escapes, dash does not)";
    return 2;
  }
  if (!quoted && n == '"') {
    push(Frame::Double);  // bash's $"..." is a translated "..."
    return 2;
  }
  return 1;  // $x, $?, $1: the shell's own expansions
}

size_t ShellScanner::step_double(char c, int boundary) {
  if (c == '\\') {
    int n = peek(1, boundary);
    if (n == kMore || n == kValue) return 0;
    return (n == '$' || n == '`' || n == '"' || n == '\\' || n == '\n') ? 2 : 1;
  }
  if (c == '"') {
    stack_.pop_back();
    return 1;
  }
  if (c == '$') return dollar(boundary);
  if (c == '`') {
    inner_ = std::make_unique<ShellScanner>();
    inner_in_double_ = true;
  }
  return 1;
}

size_t ShellScanner::step_backquoted(char c, int boundary) {
  if (c == '\\') {
    int n = peek(1, boundary);
    if (n == kMore || n == kValue) return 0;
    if (n == '\\' || n == '$' || n == '`') {
      inner_->feed(std::string_view(reinterpret_cast<const char*>(&buf_[pos_ + 1]), 1));
      return 2;
    }
    inner_->feed("\\");
    return 1;
  }
  if (c == '`') {
    std::string open = inner_->finish();
    if (!open.empty() && inner_error_.empty()) inner_error_ = open + " inside backquotes";
    if (!inner_->confused_.empty() && confused_.empty()) confused_ = inner_->confused_;
    inner_.reset();
    word_plain_ = false;
    if (word_start_) word_start_ = false, word_.clear();
    return 1;
  }
  inner_->feed(std::string_view(&buf_[pos_], 1));
  return 1;
}

size_t ShellScanner::step_delimiter(char c, int boundary) {
  if (!delim_started_) {
    if (c == ' ' || c == '\t') return 1;
    delim_started_ = true;
  }
  if (delim_quote_) {
    if (c == delim_quote_) delim_quote_ = 0;
    else delim_ += c;
    return 1;
  }
  if (c == '\'' || c == '"') {
    delim_quote_ = c;
    return 1;
  }
  if (c == '\\') {
    int n = peek(1, boundary);
    if (n == kMore || n == kValue) return 0;
    if (n >= 0) {
      delim_ += static_cast<char>(n);
      return 2;
    }
    return 1;
  }
  if (!delimiter_ends(c)) {
    delim_ += c;
    return 1;
  }
  heredocs_.push_back({delim_, delim_strip_});
  delim_active_ = delim_started_ = false;
  delim_.clear();
  return step_command(c, boundary);
}

size_t ShellScanner::step_command(char c, int boundary) {
  auto word_char = [&](bool plain) {
    if (word_start_) {
      word_start_ = false;
      word_.clear();
      word_plain_ = true;
    }
    if (!plain) word_plain_ = false;
    else word_ += c;
  };
  // No reference into stack_ here: end_word() may push a frame (`case`) and move it.
  switch (c) {
    case '\\': {
      int n = peek(1, boundary);
      if (n == kMore || n == kValue) return 0;
      if (n == '\n') return 2;  // a line continuation
      word_char(false);
      return n >= 0 ? 2 : 1;
    }
    case '\'': word_char(false); push(Frame::Single); return 1;
    case '"': word_char(false); push(Frame::Double); return 1;
    case '`':
      word_char(false);
      inner_ = std::make_unique<ShellScanner>();
      inner_in_double_ = false;
      return 1;
    case '$': return dollar(boundary);
    case '#':
      if (word_start_) {
        push(Frame::Comment);
        return 1;
      }
      word_char(false);
      return 1;
    case '<': {
      int n = peek(1, boundary);
      if (n == kMore) return 0;
      end_word();
      if (n != '<') return 1;
      int m = peek(2, boundary);
      if (m == kMore) return 0;
      if (m == '<') return 3;  // a here-string: an ordinary word follows
      delim_active_ = true;
      delim_started_ = false;
      delim_quote_ = 0;
      delim_strip_ = m == '-';
      return delim_strip_ ? 3 : 2;
    }
    case '>': end_word(); return 1;
    case '(': {
      int n = peek(1, boundary);
      if (n == kMore) return 0;
      bool at_command = word_start_ && command_pos_;
      end_word();
      if (at_command && n == '(') {
        push(Frame::Arith);  // bash's (( )); dash would read a nested subshell
        return 2;
      }
      State& s = stack_.back();
      if (!(s.frame == Frame::Case && s.case_state == CaseState::Patterns)) ++s.depth;
      command_pos_ = true;
      return 1;
    }
    case ')':
      end_word();
      if (top() == Frame::Case && stack_.back().case_state == CaseState::Patterns) {
        stack_.back().case_state = CaseState::Body;
        command_pos_ = true;
        return 1;
      }
      if (stack_.back().depth > 0) {
        --stack_.back().depth;
        return 1;
      }
      if (top() == Frame::Subst) {
        stack_.pop_back();
        word_start_ = false;  // $(...) is part of the word around it
        word_plain_ = false;
        command_pos_ = false;
      }
      return 1;
    case ' ': case '\t': end_word(); return 1;
    case '\n': end_word(); newline(); return 1;
    case ';': {
      end_word();
      if (top() == Frame::Case && stack_.back().case_state == CaseState::Body) {
        int n = peek(1, boundary);
        if (n == kMore) return 0;
        if (n == ';') {
          stack_.back().case_state = CaseState::Patterns;
          return 2;
        }
      }
      command_pos_ = true;
      return 1;
    }
    case '&': case '|': end_word(); command_pos_ = true; return 1;
    default: word_char(true); return 1;
  }
}

ShellPoint ShellScanner::insert_value() {
  drain(kValue);
  ShellPoint p;
  if (!confused_.empty()) {
    p.place = ShellPlace::Confused;
    p.reason = confused_;
    return p;
  }
  if (pos_ < buf_.size()) {  // stalled on a construct the value would complete
    char c = buf_[pos_];
    p.place = delim_active_ ? ShellPlace::HeredocDelimiter
              : c == '$'    ? ShellPlace::AfterDollar
                            : ShellPlace::AfterBackslash;
    return p;
  }
  if (delim_active_) {
    p.place = ShellPlace::HeredocDelimiter;
    return p;
  }
  if (inner_) {
    if (inner_in_double_) {
      p.place = ShellPlace::BackquoteInDouble;
      return p;
    }
    ShellPoint q = inner_->insert_value();
    ++q.backquotes;
    return q;
  }
  const State& s = stack_.back();
  switch (s.frame) {
    case Frame::Top: case Frame::Subst: case Frame::Case:
      p.place = s.frame == Frame::Case && s.case_state == CaseState::Patterns ? ShellPlace::CasePattern
                                                                               : ShellPlace::Word;
      break;
    case Frame::Double: p.place = ShellPlace::DoubleQuoted; break;
    case Frame::Arith: p.place = ShellPlace::Arithmetic; break;
    case Frame::Single: p.place = ShellPlace::SingleQuoted; break;
    case Frame::Ansi: p.place = ShellPlace::AnsiQuoted; break;
    case Frame::Param: p.place = ShellPlace::ParamExpansion; break;
    case Frame::Comment: p.place = ShellPlace::Comment; break;
    case Frame::Heredoc: p.place = ShellPlace::HeredocBody; break;
  }
  if (word_start_) {
    word_start_ = false;
    word_.clear();
  }
  word_plain_ = false;
  return p;
}

std::string ShellScanner::finish() {
  drain(kEnd);
  if (!inner_ && !delim_active_ && command_like()) end_word();  // a last `esac`
  if (!inner_error_.empty()) return inner_error_;
  if (inner_) return "a backquote `";
  if (delim_active_ || !heredocs_.empty()) return "a heredoc without a body";
  for (size_t i = stack_.size(); i-- > 1;) {
    const State& s = stack_[i];
    switch (s.frame) {
      case Frame::Double: return "a \" quote";
      case Frame::Single: return "a ' quote";
      case Frame::Ansi: return "a $' quote";
      case Frame::Subst: return "a $( substitution";
      case Frame::Arith: return "a $(( arithmetic expansion";
      case Frame::Param: return "a ${ expansion";
      case Frame::Case: return "a case without esac";
      case Frame::Heredoc: {
        std::string_view l = line_;
        if (s.strip_tabs)
          while (!l.empty() && l.front() == '\t') l.remove_prefix(1);
        if (l != s.delimiter) return "a heredoc without its end line '" + s.delimiter + "'";
        break;
      }
      case Frame::Comment: case Frame::Top: break;
    }
  }
  return "";
}

}  // namespace drplan

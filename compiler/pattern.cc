#include "compiler/pattern.h"

#include <re2/re2.h>

namespace drplan {

namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// RE2 names the construct it refused; the usual cause is a Perl/PCRE habit it leaves out
// on purpose, because it would need backtracking.
std::string help_for(const re2::RE2& re) {
  const std::string syntax = std::string("expect is an RE2 regex (syntax: ") + Pattern::kSyntaxUrl + ")";
  const std::string& arg = re.error_arg();
  const std::string& text = re.pattern();
  switch (re.error_code()) {
    case re2::RE2::ErrorBadEscape:
      if (arg.size() == 2 && ((arg[1] >= '1' && arg[1] <= '9') || arg[1] == 'k'))
        return "backreferences are not supported: " + syntax + ", which matches in linear time";
      break;
    case re2::RE2::ErrorBadPerlOp:
      if (contains(text, "(?=") || contains(text, "(?!") || contains(text, "(?<=") || contains(text, "(?<!"))
        return "lookahead and lookbehind are not supported: " + syntax + ", which matches in linear time";
      if (contains(text, "(?P="))
        return "backreferences are not supported: " + syntax + ", which matches in linear time";
      if (contains(text, "(?<")) return "name a group with (?P<name>...): " + syntax;
      break;
    case re2::RE2::ErrorRepeatOp:
      if (arg.size() == 2 && arg[1] == '+') return "possessive repetition is not supported: " + syntax;
      break;
    case re2::RE2::ErrorPatternTooLarge:
      return "the compiled pattern would need more than " + std::to_string(Pattern::kMaxMem >> 20) +
             " MiB: use smaller repetition counts";
    default: break;
  }
  return syntax + "; it is searched for in the output, as grep does";
}

}  // namespace

Pattern::Pattern(std::string text) : text_(std::move(text)) {
  if (text_.empty()) return;
  re2::RE2::Options options;
  options.set_log_errors(false);  // the compiler reports it, located
  options.set_max_mem(kMaxMem);
  auto re = std::make_shared<const re2::RE2>(text_, options);
  if (re->ok()) {
    re_ = std::move(re);
    return;
  }
  error_ = re->error();
  help_ = help_for(*re);
}

bool Pattern::search(std::string_view s) const {
  if (empty()) return true;
  return re_ && re2::RE2::PartialMatch(s, *re_);
}

}  // namespace drplan

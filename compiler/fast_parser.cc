// The hand-written fast path: a byte-level lexer that mimics ANTLR's longest-match rules and
// a recursive-descent parser, one function per grammar rule, building the AST as parser.cc's
// Builder does. Every function returns false/nullptr at the first surprise; nothing here
// reports, because the ANTLR path will run next and say what is wrong.
#include "compiler/fast_parser.h"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "compiler/parser.h"

namespace drplan {

namespace {

// clang-format off
enum class Tok : uint8_t {
  End, Bad, Ident, Number, Quantity, String, TString,
  // keywords, reserved: never an Ident
  Plan, Module, Param, Use, As, Template, Def, Phase, Check, Action, Gate, Wait, On, After, When,
  None, Not, And, Or, True, False,
  // punctuation
  LBrace, RBrace, LParen, RParen, LBracket, RBracket, Assign, Semi, Colon, Comma, Slash, Dot,
  Bang, Eq, Ne, Lt, Le, Gt, Ge, AndAnd, OrOr, Plus,  // Eq..Ge: the comparisons
};
// clang-format on

struct Token {
  Tok type;
  uint32_t begin, end;  // byte offsets
};

enum : uint8_t { kIdentStart = 1, kIdentPart = 2, kDigit = 4, kUnitChar = 8 };

constexpr std::array<uint8_t, 256> kClasses = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = t[c - 'a' + 'A'] = kIdentStart | kIdentPart | kUnitChar;
  for (int c = '0'; c <= '9'; ++c) t[c] = kIdentPart | kDigit;
  t['_'] = kIdentStart | kIdentPart;
  t['-'] = kIdentPart;
  t['%'] = kUnitChar;
  return t;
}();

bool is(char c, uint8_t cls) { return kClasses[static_cast<unsigned char>(c)] & cls; }

// On a tie in length ANTLR takes the rule listed first, and the keywords come before IDENT.
// A switch on the first letter: every identifier is looked up, most of them are not keywords.
Tok keyword(std::string_view w) {
  auto eq = [&w](std::string_view k) { return w == k; };
  switch (w[0]) {
    case 'a': return eq("as") ? Tok::As : eq("action") ? Tok::Action : eq("after") ? Tok::After
                   : eq("and") ? Tok::And : Tok::Ident;
    case 'c': return eq("check") ? Tok::Check : Tok::Ident;
    case 'd': return eq("def") ? Tok::Def : Tok::Ident;
    case 'f': return eq("false") ? Tok::False : Tok::Ident;
    case 'g': return eq("gate") ? Tok::Gate : Tok::Ident;
    case 'm': return eq("module") ? Tok::Module : Tok::Ident;
    case 'n': return eq("none") ? Tok::None : eq("not") ? Tok::Not : Tok::Ident;
    case 'o': return eq("on") ? Tok::On : eq("or") ? Tok::Or : Tok::Ident;
    case 'p': return eq("plan") ? Tok::Plan : eq("param") ? Tok::Param : eq("phase") ? Tok::Phase : Tok::Ident;
    case 't': return eq("template") ? Tok::Template : eq("true") ? Tok::True : Tok::Ident;
    case 'u': return eq("use") ? Tok::Use : Tok::Ident;
    case 'w': return eq("wait") ? Tok::Wait : eq("when") ? Tok::When : Tok::Ident;
    default: return Tok::Ident;
  }
}

bool is_step_kind(Tok t) { return t == Tok::Check || t == Tok::Action || t == Tok::Gate || t == Tok::Wait; }

// Binding strength of a binary operator, 0 for anything else. `!`/`not` binds tighter than
// all of them; `+` is the loosest (grammar/Drplan.g4's expr alternatives, in order).
int precedence(Tok t) {
  if (t == Tok::Plus) return 1;
  if (t == Tok::OrOr || t == Tok::Or) return 2;
  if (t == Tok::AndAnd || t == Tok::And) return 3;
  return t >= Tok::Eq && t <= Tok::Ge ? 4 : 0;
}

// parser.cc's pre-screen, replayed token by token: where it refuses the input, so do we.
class Screen {
 public:
  bool admit(Tok t) {
    // Operators are counted per statement: a block or `=` starts a new one, parentheses do not.
    if (t == Tok::LBrace || t == Tok::RBrace || t == Tok::Assign || t == Tok::Semi) operators_ = 0;
    if (t == Tok::LBrace || t == Tok::LParen || t == Tok::LBracket) return ++depth_ <= kMaxNesting;
    if (t == Tok::RBrace || t == Tok::RParen || t == Tok::RBracket) {
      if (depth_ > 0) --depth_;
      return true;
    }
    bool op = precedence(t) > 0 || t == Tok::Bang || t == Tok::Not;
    return !op || ++operators_ <= kMaxOperatorsPerExpression;
  }

 private:
  int depth_ = 0, operators_ = 0;
};

// QUANTITY or NUMBER from s[i], a digit; sets `end`.
Tok scan_number(std::string_view s, size_t i, size_t& end) {
  size_t j = i, n = s.size();
  while (j < n && is(s[j], kDigit)) ++j;
  // `1.x` is NUMBER '.' IDENT: the '.' belongs to the number only with a digit after it.
  if (j + 1 < n && s[j] == '.' && is(s[j + 1], kDigit))
    for (j += 2; j < n && is(s[j], kDigit);) ++j;
  Tok t = j < n && is(s[j], kUnitChar) ? Tok::Quantity : Tok::Number;
  while (j < n && is(s[j], kUnitChar)) ++j;
  end = j;
  return t;
}

// STRING or TSTRING from s[i] == '"'; false for OPEN_STRING (unterminated).
bool scan_string(std::string_view s, size_t i, Tok& t, size_t& end) {
  if (s.substr(i, 3) == R"(""")") {
    size_t close = s.find(R"(""")", i + 3);  // .*? stops at the first closing quotes
    t = close == std::string_view::npos ? Tok::String : Tok::TString;
    // Unclosed, the longest match is the empty string "" and a new string starts after it.
    end = close == std::string_view::npos ? i + 2 : close + 3;
    return true;
  }
  t = Tok::String;
  for (size_t j = i + 1; j < s.size();) {
    char c = s[j];
    if (c == '"') {
      end = j + 1;
      return true;
    }
    if (c == '\n' || c == '\r') return false;
    j += c == '\\' ? 2 : 1;  // an escaped byte may be anything, a newline too
  }
  return false;
}

size_t line_end(std::string_view s, size_t i) {
  while (i < s.size() && s[i] != '\n' && s[i] != '\r') ++i;
  return i;
}

constexpr std::array<Tok, 256> kPunct = [] {
  std::array<Tok, 256> t{};
  t.fill(Tok::Bad);
  t['{'] = Tok::LBrace, t['}'] = Tok::RBrace, t['('] = Tok::LParen, t[')'] = Tok::RParen;
  t['['] = Tok::LBracket, t[']'] = Tok::RBracket, t[';'] = Tok::Semi, t[':'] = Tok::Colon;
  t[','] = Tok::Comma, t['/'] = Tok::Slash, t['.'] = Tok::Dot, t['+'] = Tok::Plus;
  t['='] = Tok::Assign, t['!'] = Tok::Bang, t['<'] = Tok::Lt, t['>'] = Tok::Gt;
  return t;
}();

// Punctuation at s[i]; false for what ANTLR lexes as UNKNOWN.
bool scan_punct(std::string_view s, size_t i, Tok& t, size_t& end) {
  const char c = s[i], next = i + 1 < s.size() ? s[i + 1] : '\0';
  end = i + 2;
  if (next == '=' && (c == '=' || c == '!' || c == '<' || c == '>')) {
    t = c == '=' ? Tok::Eq : c == '!' ? Tok::Ne : c == '<' ? Tok::Le : Tok::Ge;
    return true;
  }
  if (c == '&' || c == '|') {  // a single one is UNKNOWN
    t = c == '&' ? Tok::AndAnd : Tok::OrOr;
    return next == c;
  }
  end = i + 1;
  t = kPunct[static_cast<unsigned char>(c)];
  return t != Tok::Bad;
}

// Tokens on demand, so that no token array is ever built: for a big plan, the page faults of
// first touching that memory cost more than the lexing itself. After anything the ANTLR path would
// report (an UNKNOWN or OPEN_STRING token, an unclosed comment, what its pre-screen refuses)
// every token is Bad, which no rule accepts.
class Lexer {
 public:
  // A leading UTF-8 byte order mark is skipped, as ANTLR's input stream drops it.
  explicit Lexer(std::string_view s) : s_(s), i_(utf8_bom_length(s)) {}
  Token next();

 private:
  Token bad() {
    i_ = s_.size();
    bad_ = true;
    return {Tok::Bad, static_cast<uint32_t>(i_), static_cast<uint32_t>(i_)};
  }

  std::string_view s_;
  size_t i_ = 0;
  bool bad_ = false;
  Screen screen_;
};

Token Lexer::next() {
  const std::string_view s = s_;
  const size_t n = s.size();
  while (i_ < n) {
    const size_t i = i_;
    const char c = s[i];
    size_t end = 0;
    Tok t;
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      ++i_;
      continue;
    }
    if (is(c, kIdentStart)) {
      // [a-zA-Z_] [a-zA-Z_0-9-]* [a-zA-Z_0-9]? matches any run of these: `a-` is one IDENT.
      for (end = i + 1; end < n && is(s[end], kIdentPart);) ++end;
      t = keyword(s.substr(i, end - i));
    } else if (is(c, kDigit)) {
      t = scan_number(s, i, end);
    } else if (c == '"') {
      if (!scan_string(s, i, t, end)) return bad();
    } else if (c == '#' || (c == '/' && i + 1 < n && s[i + 1] == '/')) {
      i_ = line_end(s, i);
      continue;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t close = s.find("*/", i + 2);
      if (close == std::string_view::npos) return bad();  // '/' then an UNKNOWN '*'
      i_ = close + 2;
      continue;
    } else if (!scan_punct(s, i, t, end)) {
      return bad();
    }
    if (!screen_.admit(t)) return bad();
    i_ = end;
    return {t, static_cast<uint32_t>(i), static_cast<uint32_t>(end)};
  }
  return bad_ ? bad() : Token{Tok::End, static_cast<uint32_t>(n), static_cast<uint32_t>(n)};
}

ast::Expr::Kind binary_kind(int prec) {
  using K = ast::Expr::Kind;
  return prec == 4 ? K::Compare : prec == 3 ? K::And : prec == 2 ? K::Or : K::Concat;
}

class Parser {
 public:
  Parser(std::string_view src, int file) : src_(src), lexer_(src), file_(file) {
    cur_ = lexer_.next();
    ahead_ = lexer_.next();
  }

  std::unique_ptr<ast::Unit> unit();

 private:
  using ExprPtr = std::unique_ptr<ast::Expr>;

  void advance() {
    prev_end_ = cur_.end;
    cur_ = ahead_;
    ahead_ = lexer_.next();
  }
  bool at(Tok t) const { return cur_.type == t; }
  bool eat(Tok t) {
    if (!at(t)) return false;
    advance();
    return true;
  }
  Loc loc(const Token& t) const { return Loc{file_, t.begin, t.end - t.begin}; }
  // A rule's location, as ANTLR's contexts have it: its first token to the last one consumed.
  Loc span(uint32_t begin) const { return Loc{file_, begin, prev_end_ - begin}; }
  // A token's text, less `trim` bytes (quotes) at each end.
  std::string text(const Token& t, uint32_t trim = 0) const {
    return std::string(src_.substr(t.begin + trim, t.end - t.begin - 2 * trim));
  }
  bool name(std::string& out, Loc& where) {
    if (!at(Tok::Ident)) return false;
    out = text(cur_);
    where = loc(cur_);
    advance();
    return true;
  }
  static ExprPtr node(ast::Expr::Kind k) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = k;
    return e;
  }

  bool item(ast::Unit& u);
  bool setting(std::vector<ast::Setting>& out);
  bool param(std::vector<ast::Param>& out);
  bool typed(ast::Param& p);
  bool param_list(std::vector<ast::Param>& out);
  bool use(std::vector<ast::Use>& out);
  bool templ(std::vector<ast::Template>& out);
  bool def(std::vector<ast::Def>& out);
  bool phase(ast::Unit& u);
  bool step(ast::Unit& u, int phase);
  bool clauses(ast::Step& s);
  bool block(std::vector<ast::Attr>& out);
  bool path(std::vector<std::string>& out);

  ExprPtr expr(int min_prec = 1);
  ExprPtr unary();
  ExprPtr primary();
  ExprPtr literal();
  ExprPtr call(uint32_t begin, ExprPtr e);

  std::string_view src_;
  Lexer lexer_;
  int file_;
  Token cur_{}, ahead_{};       // ahead_ tells a named argument `name:` from an expression
  uint32_t prev_end_ = 0;       // end of the last token consumed
  std::vector<uint32_t> nots_;  // where the `!`/`not` of the unary() calls under way start
};

std::unique_ptr<ast::Unit> Parser::unit() {
  auto u = std::make_unique<ast::Unit>();
  u->file = file_;
  u->is_module = at(Tok::Module);
  if (!eat(Tok::Plan) && !eat(Tok::Module)) return nullptr;
  if (!name(u->name, u->loc) || !eat(Tok::LBrace)) return nullptr;
  // A step takes 130 bytes of source or more. Reserving a little too much costs address space
  // only; growing by doubling would copy, and first-touch, every step again.
  if (!u->is_module) u->steps.reserve(src_.size() / 96 + 8);
  while (!eat(Tok::RBrace))
    if (!item(*u)) return nullptr;
  return at(Tok::End) ? std::move(u) : nullptr;
}

bool Parser::item(ast::Unit& u) {
  const Tok t = cur_.type;
  if (t == Tok::Ident) return setting(u.settings);
  if (t == Tok::Use) return use(u.uses);
  if (t == Tok::Template) return templ(u.templates);
  if (t == Tok::Def) return def(u.defs);
  if (u.is_module) return false;  // the rest belong to plans only
  if (t == Tok::Param) return param(u.params);
  if (t == Tok::Phase) return phase(u);
  return is_step_kind(t) && step(u, -1);
}

bool Parser::setting(std::vector<ast::Setting>& out) {
  ast::Setting s;
  if (!name(s.key, s.loc) || !eat(Tok::Assign) || !(s.value = expr())) return false;
  eat(Tok::Semi);
  out.push_back(std::move(s));
  return true;
}

bool Parser::param(std::vector<ast::Param>& out) {
  advance();
  ast::Param p;
  if (!typed(p)) return false;
  eat(Tok::Semi);
  out.push_back(std::move(p));
  return true;
}

bool Parser::typed(ast::Param& p) {
  if (!name(p.name, p.loc) || !eat(Tok::Colon) || !name(p.type, p.type_loc)) return false;
  return !eat(Tok::Assign) || (p.default_value = expr()) != nullptr;
}

// '(' (typedParam (',' typedParam)* ','?)? ')'
bool Parser::param_list(std::vector<ast::Param>& out) {
  if (!eat(Tok::LParen)) return false;
  while (!eat(Tok::RParen)) {
    ast::Param p;
    if (!typed(p)) return false;
    out.push_back(std::move(p));
    if (!eat(Tok::Comma) && !at(Tok::RParen)) return false;
  }
  return true;
}

bool Parser::use(std::vector<ast::Use>& out) {
  advance();
  ast::Use u;
  const uint32_t begin = cur_.begin;
  Token last = cur_;
  if (!at(Tok::Ident)) return false;
  u.path = text(cur_);
  advance();
  while (eat(Tok::Slash)) {
    if (!at(Tok::Ident)) return false;
    last = cur_;
    u.path += '/';
    u.path += src_.substr(cur_.begin, cur_.end - cur_.begin);
    advance();
  }
  u.loc = span(begin);
  if (eat(Tok::As)) {
    if (!name(u.alias, u.alias_loc)) return false;
  } else {
    u.alias = text(last);
    u.alias_loc = u.loc;
  }
  eat(Tok::Semi);
  out.push_back(std::move(u));
  return true;
}

bool Parser::templ(std::vector<ast::Template>& out) {
  advance();
  ast::Template t;
  if (!name(t.name, t.loc) || !param_list(t.params) || !at(Tok::LBrace) || !block(t.attrs)) return false;
  out.push_back(std::move(t));
  return true;
}

bool Parser::def(std::vector<ast::Def>& out) {
  advance();
  ast::Def d;
  if (!name(d.name, d.loc) || !param_list(d.params) || !eat(Tok::Assign) || !(d.body = expr())) return false;
  eat(Tok::Semi);
  out.push_back(std::move(d));
  return true;
}

bool Parser::phase(ast::Unit& u) {
  advance();
  if (!at(Tok::String)) return false;
  ast::Phase p;
  p.title = text(cur_, 1);
  p.loc = loc(cur_);
  advance();
  if (!eat(Tok::LBrace)) return false;
  const int index = static_cast<int>(u.phases.size());
  u.phases.push_back(std::move(p));
  while (!eat(Tok::RBrace))
    if (!is_step_kind(cur_.type) || !step(u, index)) return false;
  return true;
}

bool Parser::step(ast::Unit& u, int phase) {
  using SK = ast::StepKind;
  const Tok t = cur_.type;
  ast::Step s;
  s.kind = t == Tok::Check ? SK::Check : t == Tok::Gate ? SK::Gate : t == Tok::Wait ? SK::Wait : SK::Action;
  s.kind_loc = loc(cur_);
  advance();
  s.phase = phase;
  if (!name(s.name, s.loc) || !clauses(s)) return false;
  if (eat(Tok::Assign)) {
    const uint32_t begin = cur_.begin;
    auto callee = node(ast::Expr::Kind::Call);
    if (!path(callee->path) || !at(Tok::LParen) || !(s.uses = call(begin, std::move(callee)))) return false;
  }
  if (at(Tok::LBrace) && !block(s.attrs)) return false;
  eat(Tok::Semi);
  u.steps.push_back(std::move(s));
  return true;
}

// `on`, `after` and `when` in any order; a second `on` or `when` is an error (Builder's).
bool Parser::clauses(ast::Step& s) {
  for (;;) {
    if (eat(Tok::On)) {
      const uint32_t begin = cur_.begin;
      if (!s.target.empty() || !path(s.target)) return false;
      s.target_loc = span(begin);
    } else if (eat(Tok::After)) {
      do {
        if (!at(Tok::Ident)) return false;
        s.after.emplace_back(text(cur_), loc(cur_));
        advance();
      } while (eat(Tok::Comma));
    } else if (eat(Tok::When)) {
      if (s.when || !(s.when = expr())) return false;
    } else {
      return true;
    }
  }
}

// '{' (IDENT '=' expr (';' | ',')?)* '}'; the grammar's optional '=' and value are errors.
bool Parser::block(std::vector<ast::Attr>& out) {
  advance();
  while (!eat(Tok::RBrace)) {
    ast::Attr a;
    if (!name(a.key, a.key_loc) || !eat(Tok::Assign) || !(a.value = expr())) return false;
    if (!eat(Tok::Semi)) eat(Tok::Comma);
    out.push_back(std::move(a));
  }
  return true;
}

bool Parser::path(std::vector<std::string>& out) {
  if (!at(Tok::Ident)) return false;
  out.push_back(text(cur_));
  advance();
  while (eat(Tok::Dot)) {
    if (!at(Tok::Ident)) return false;
    out.push_back(text(cur_));
    advance();
  }
  return true;
}

// Precedence climbing; every binary operator is left-associative.
Parser::ExprPtr Parser::expr(int min_prec) {
  const uint32_t begin = cur_.begin;
  ExprPtr lhs = unary();
  if (!lhs) return nullptr;
  for (int prec; (prec = precedence(cur_.type)) >= min_prec;) {
    const Token op = cur_;
    advance();
    ExprPtr rhs = expr(prec + 1);
    if (!rhs) return nullptr;
    ExprPtr e = node(binary_kind(prec));
    if (prec == 4) e->text = text(op);
    e->loc = span(begin);  // from the left operand's first token: `(a) + b` starts at '('
    e->children.reserve(2);
    e->children.push_back(std::move(lhs));
    e->children.push_back(std::move(rhs));
    lhs = std::move(e);
  }
  return lhs;
}

// A run of `!`/`not` (up to kMaxOperatorsPerExpression) is unwound in a loop, not by
// recursion: only brackets, at most kMaxNesting deep, make the parser recurse.
Parser::ExprPtr Parser::unary() {
  const size_t base = nots_.size();
  for (; at(Tok::Bang) || at(Tok::Not); advance()) nots_.push_back(cur_.begin);
  ExprPtr e = primary();
  for (; e && nots_.size() > base; nots_.pop_back()) {
    ExprPtr n = node(ast::Expr::Kind::Not);
    n->loc = span(nots_.back());
    n->children.push_back(std::move(e));
    e = std::move(n);
  }
  nots_.resize(base);
  return e;
}

Parser::ExprPtr Parser::primary() {
  using K = ast::Expr::Kind;
  const uint32_t begin = cur_.begin;
  switch (cur_.type) {
    case Tok::None: {
      ExprPtr e = node(K::None);
      advance();
      if (at(Tok::String)) {
        e->text = text(cur_, 1);
        advance();
      }
      e->loc = span(begin);
      return e;
    }
    case Tok::Ident: {
      ExprPtr e = node(K::Path);
      if (!path(e->path)) return nullptr;
      if (at(Tok::LParen)) return call(begin, std::move(e));
      e->loc = span(begin);
      return e;
    }
    case Tok::LBracket: {
      ExprPtr e = node(K::List);
      for (advance(); !eat(Tok::RBracket);) {
        ExprPtr item = expr();
        if (!item || (!eat(Tok::Comma) && !at(Tok::RBracket))) return nullptr;
        e->children.push_back(std::move(item));
      }
      e->loc = span(begin);
      return e;
    }
    case Tok::LParen: {  // the inner expression, with its own location
      advance();
      ExprPtr e = expr();
      return e && eat(Tok::RParen) ? std::move(e) : nullptr;
    }
    default:
      return literal();
  }
}

Parser::ExprPtr Parser::literal() {
  using K = ast::Expr::Kind;
  const Tok t = cur_.type;
  ExprPtr e;
  switch (t) {
    case Tok::String:
    case Tok::TString: {
      const uint32_t quotes = t == Tok::String ? 1 : 3;
      e = node(K::String);
      e->text = text(cur_, quotes);
      e->content_offset = cur_.begin + quotes;
      e->verbatim = t == Tok::TString;
      break;
    }
    case Tok::Quantity:
      e = node(K::Quantity);
      e->text = text(cur_);
      break;
    case Tok::Number:
      e = node(K::Number);
      e->text = text(cur_);
      e->number = std::strtod(e->text.c_str(), nullptr);
      break;
    case Tok::True:
    case Tok::False:
      e = node(K::Bool);
      e->boolean = t == Tok::True;
      e->text = text(cur_);
      break;
    default:
      return nullptr;
  }
  e->loc = loc(cur_);
  advance();
  return e;
}

// The argument list of a call whose callee path, from `begin`, is parsed into `e`.
Parser::ExprPtr Parser::call(uint32_t begin, ExprPtr e) {
  e->kind = ast::Expr::Kind::Call;
  for (advance(); !eat(Tok::RParen);) {
    if (at(Tok::Ident) && ahead_.type == Tok::Colon) {
      e->arg_names.push_back(text(cur_));
      e->arg_name_locs.push_back(loc(cur_));
      advance();
      advance();
    } else {
      e->arg_names.emplace_back();
      e->arg_name_locs.emplace_back();
    }
    ExprPtr arg = expr();
    if (!arg || (!eat(Tok::Comma) && !at(Tok::RParen))) return nullptr;
    e->children.push_back(std::move(arg));
  }
  e->loc = span(begin);
  return e;
}

}  // namespace

std::unique_ptr<ast::Unit> fast_parse(std::string_view text, int file) { return Parser(text, file).unit(); }

}  // namespace drplan

// The only translation unit that includes ANTLR: lexes, pre-screens, parses, and turns the
// parse tree into ast::Unit with one function per grammar rule. parse_file tries the fast
// path (fast_parser.cc) first; this one runs when that gives up, and reports the errors.
#include "compiler/parser.h"

#include <pthread.h>

#include <cstdio>
#include <functional>
#include <map>
#include <utility>

#include "DrplanLexer.h"
#include "DrplanParser.h"
#include "antlr4-runtime.h"
#include "compiler/fast_parser.h"

namespace drplan {

namespace {

using drplan_gen::DrplanLexer;
using drplan_gen::DrplanParser;

// ANTLR indexes code points; diagnostics use byte offsets.
class OffsetMap {
 public:
  explicit OffsetMap(const std::string& text) {
    bool ascii = true;
    for (unsigned char c : text)
      if (c >= 0x80) {
        ascii = false;
        break;
      }
    if (ascii) return;
    // ANTLR's input stream drops a leading byte order mark: its code point 0 is our byte 3.
    for (uint32_t i = utf8_bom_length(text); i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) starts_.push_back(i);
    starts_.push_back(static_cast<uint32_t>(text.size()));
  }
  uint32_t byte(size_t cp_index) const {
    if (starts_.empty()) return static_cast<uint32_t>(cp_index);
    return cp_index < starts_.size() ? starts_[cp_index] : starts_.back();
  }

 private:
  std::vector<uint32_t> starts_;
};

std::string friendly_token(const antlr4::dfa::Vocabulary& vocab, size_t type) {
  switch (type) {
    case DrplanLexer::IDENT: return "a name";
    case DrplanLexer::STRING: case DrplanLexer::TSTRING: return "a string";
    case DrplanLexer::QUANTITY: return "a quantity (30s, 2GiB, 20%)";
    case DrplanLexer::NUMBER: return "a number";
    case antlr4::Token::EOF: return "end of file";
    default: break;
  }
  std::string lit = vocab.getLiteralName(type);
  return lit.empty() ? vocab.getDisplayName(type) : lit;
}

std::string token_text(antlr4::Token* t) {
  if (t->getType() == antlr4::Token::EOF) return "end of file";
  std::string s = t->getText();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return "'" + out + "'";
}

class ErrorCollector : public antlr4::BaseErrorListener {
 public:
  ErrorCollector(int file, const OffsetMap& offsets, uint32_t size, DiagnosticEngine& diags)
      : file_(file), offsets_(offsets), size_(size), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* bad, size_t, size_t,
                   const std::string&, std::exception_ptr) override {
    if (++count_ > kMaxSyntaxErrors) return;
    if (count_ == kMaxSyntaxErrors) {
      diags_.error(DiagCode::Syntax, loc(bad), "too many syntax errors; stopping here");
      return;
    }
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (!parser || !bad) {
      diags_.error(DiagCode::Syntax, Loc{file_, 0, 0}, "unrecognised input");
      return;
    }
    Loc l = loc(bad);
    size_t type = bad->getType();
    // An unterminated string swallows the rest of its line, braces included: the "end of
    // file" that follows is its echo, not a second mistake.
    if (type == antlr4::Token::EOF && open_string_) return;
    if (type == DrplanLexer::OPEN_STRING) {
      open_string_ = true;
      diags_.error(DiagCode::Syntax, l, "unterminated string").help =
          "close it with \" on the same line, or use \"\"\"...\"\"\" for text over several lines";
      return;
    }
    if (type == DrplanLexer::UNKNOWN) {
      diags_.error(DiagCode::Syntax, l, "unexpected character " + token_text(bad));
      return;
    }
    std::string msg = "unexpected " + (type == antlr4::Token::EOF ? std::string("end of file") : token_text(bad));
    std::string expected;
    try {
      antlr4::misc::IntervalSet set = parser->getExpectedTokens();
      std::vector<std::string> names;
      for (ssize_t t : set.toList()) {
        std::string name = friendly_token(parser->getVocabulary(), static_cast<size_t>(t));
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
      if (!names.empty() && names.size() <= 6) {
        for (size_t i = 0; i < names.size(); ++i)
          expected += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
      }
    } catch (...) {
    }
    // After an error inside the plan, recovery may close the plan early; the plan's own '}'
    // then stands where the end of the file is expected. That is an echo, not a mistake.
    if (count_ > 1 && expected == "end of file") return;
    auto& d = diags_.error(DiagCode::Syntax, l, expected.empty() ? msg : msg + ", expected " + expected);
    if (type == DrplanLexer::STRING && expected.find("a name") != std::string::npos)
      d.help = "names are written without quotes";
    std::string text = bad->getText();
    bool keyword = type != DrplanLexer::IDENT && !text.empty() && std::isalpha(static_cast<unsigned char>(text[0])) &&
                   type != DrplanLexer::QUANTITY;
    // A keyword where a name goes, followed by what follows a name being declared (`on:`,
    // `after =`, `(on)`), is a name the author chose; a keyword starting the next statement
    // after an unclosed one is not.
    std::string next;
    if (parser && parser->getTokenStream()) {
      antlr4::Token* after = parser->getTokenStream()->LT(2);
      if (after && parser->getTokenStream()->LT(1) == bad) next = after->getText();
    }
    if (keyword && expected.find("a name") != std::string::npos &&
        (expected == "a name" || next == ":" || next == "=" || next == "," || next == ")"))
      d.help = "'" + text + "' is a reserved word; choose another name";
  }

  Loc loc(antlr4::Token* t) const {
    if (!t) return Loc{file_, 0, 0};
    size_t start = t->getStartIndex();
    if (t->getType() == antlr4::Token::EOF || start == INVALID_INDEX) {
      return Loc{file_, size_, 0};
    }
    uint32_t b = offsets_.byte(start), e = offsets_.byte(t->getStopIndex() + 1);
    return Loc{file_, b, e > b ? e - b : 1};
  }
  int count() const { return count_; }

 private:
  int file_;
  const OffsetMap& offsets_;
  uint32_t size_;
  DiagnosticEngine& diags_;
  int count_ = 0;
  bool open_string_ = false;
};

// Rejects input that would make the recursive-descent parser or the tree walk too deep.
bool prescreen(antlr4::CommonTokenStream& tokens, const antlr4::dfa::Vocabulary& vocab, ErrorCollector& errors,
               DiagnosticEngine& diags) {
  // Classify token types once (by their literal spelling), not every token's text.
  enum Class : char { Other, Open, Close, Brace, CloseBrace, Reset, Operator };
  std::vector<Class> cls(vocab.getMaxTokenType() + 2, Other);
  for (size_t type = 1; type <= vocab.getMaxTokenType(); ++type) {
    std::string lit = vocab.getLiteralName(type);
    if (lit.size() < 3) continue;
    lit = lit.substr(1, lit.size() - 2);  // without the quotes
    if (lit == "(" || lit == "[") cls[type] = Open;
    else if (lit == "{") cls[type] = Brace;
    else if (lit == ")" || lit == "]") cls[type] = Close;
    else if (lit == "}") cls[type] = CloseBrace;
    else if (lit == "=" || lit == ";") cls[type] = Reset;
    else if (lit == "!" || lit == "not" || lit == "&&" || lit == "and" || lit == "||" || lit == "or" || lit == "+" ||
             lit == "==" || lit == "!=" || lit == "<" || lit == ">" || lit == "<=" || lit == ">=")
      cls[type] = Operator;
  }
  int depth = 0, operators = 0;
  for (antlr4::Token* t : tokens.getTokens()) {
    size_t type = t->getType();
    Class c = type < cls.size() ? cls[type] : Other;
    // Operators are counted per statement: a block or `=` starts a new one, parentheses do not.
    if (c == Brace || c == CloseBrace || c == Reset) operators = 0;
    if (c == Open || c == Brace) {
      if (++depth > kMaxNesting) {
        diags.error(DiagCode::Syntax, errors.loc(t),
                    "nesting deeper than " + std::to_string(kMaxNesting) + " levels")
            .help = "split the expression or the block";
        return false;
      }
    } else if (c == Close || c == CloseBrace) {
      if (depth > 0) --depth;
    } else if (c == Operator && ++operators > kMaxOperatorsPerExpression) {
      diags.error(DiagCode::Syntax, errors.loc(t),
                  "expression has more than " + std::to_string(kMaxOperatorsPerExpression) + " operators");
      return false;
    }
  }
  return true;
}

// Parse tree -> AST, one function per rule.
class Builder {
 public:
  Builder(int file, const OffsetMap& offsets) : file_(file), offsets_(offsets) {}

  Loc loc(antlr4::Token* t) const {
    uint32_t b = offsets_.byte(t->getStartIndex()), e = offsets_.byte(t->getStopIndex() + 1);
    return Loc{file_, b, e > b ? e - b : 1};
  }
  Loc loc(antlr4::tree::TerminalNode* n) const { return loc(n->getSymbol()); }
  Loc loc(antlr4::ParserRuleContext* c) const {
    uint32_t b = offsets_.byte(c->getStart()->getStartIndex());
    uint32_t e = offsets_.byte(c->getStop() ? c->getStop()->getStopIndex() + 1 : c->getStart()->getStopIndex() + 1);
    return Loc{file_, b, e > b ? e - b : 1};
  }

  std::unique_ptr<ast::Unit> unit(DrplanParser::FileContext* ctx) {
    auto u = std::make_unique<ast::Unit>();
    u->file = file_;
    if (auto* p = ctx->planDecl()) {
      u->name = p->name->getText();
      u->loc = loc(p->name);
      for (auto* item : p->planItem()) plan_item(*u, item);
    } else if (auto* m = ctx->moduleDecl()) {
      u->is_module = true;
      u->name = m->name->getText();
      u->loc = loc(m->name);
      for (auto* item : m->moduleItem()) module_item(*u, item);
    }
    return u;
  }

 private:
  void plan_item(ast::Unit& u, DrplanParser::PlanItemContext* c) {
    if (c->paramDecl()) u.params.push_back(param(c->paramDecl()));
    else if (c->useDecl()) u.uses.push_back(use(c->useDecl()));
    else if (c->templateDecl()) u.templates.push_back(templ(c->templateDecl()));
    else if (c->defDecl()) u.defs.push_back(def(c->defDecl()));
    else if (c->setting()) u.settings.push_back(setting(c->setting()));
    else if (c->step()) u.steps.push_back(step(c->step(), -1));
    else if (auto* ph = c->phase()) {
      int index = static_cast<int>(u.phases.size());
      ast::Phase p;
      p.title = unquote(ph->title->getText());
      p.loc = loc(ph->title);
      u.phases.push_back(std::move(p));
      for (auto* s : ph->step()) u.steps.push_back(step(s, index));
    }
  }

  void module_item(ast::Unit& u, DrplanParser::ModuleItemContext* c) {
    if (c->useDecl()) u.uses.push_back(use(c->useDecl()));
    else if (c->templateDecl()) u.templates.push_back(templ(c->templateDecl()));
    else if (c->defDecl()) u.defs.push_back(def(c->defDecl()));
    else if (c->setting()) u.settings.push_back(setting(c->setting()));
  }

  static std::string unquote(const std::string& s) {
    return s.size() >= 2 ? s.substr(1, s.size() - 2) : s;
  }

  ast::Param typed(antlr4::Token* name, antlr4::Token* type, DrplanParser::ExprContext* def) {
    ast::Param p;
    p.name = name->getText();
    p.loc = loc(name);
    p.type = type->getText();
    p.type_loc = loc(type);
    if (def) p.default_value = expr(def);
    return p;
  }

  ast::Param param(DrplanParser::ParamDeclContext* c) { return typed(c->name, c->type, c->expr()); }

  ast::Use use(DrplanParser::UseDeclContext* c) {
    ast::Use u;
    for (auto* id : c->modulePath()->IDENT()) u.path += (u.path.empty() ? "" : "/") + id->getText();
    u.loc = loc(c->modulePath());
    if (c->alias) {
      u.alias = c->alias->getText();
      u.alias_loc = loc(c->alias);
    } else {
      u.alias = c->modulePath()->IDENT().back()->getText();
      u.alias_loc = u.loc;
    }
    return u;
  }

  std::vector<ast::Param> params(DrplanParser::ParamListContext* c) {
    std::vector<ast::Param> out;
    if (!c) return out;
    for (auto* p : c->typedParam()) out.push_back(typed(p->name, p->type, p->expr()));
    return out;
  }

  ast::Template templ(DrplanParser::TemplateDeclContext* c) {
    ast::Template t;
    t.name = c->name->getText();
    t.loc = loc(c->name);
    t.params = params(c->paramList());
    t.attrs = attrs(c->block());
    return t;
  }

  ast::Def def(DrplanParser::DefDeclContext* c) {
    ast::Def d;
    d.name = c->name->getText();
    d.loc = loc(c->name);
    d.params = params(c->paramList());
    d.body = expr(c->expr());
    return d;
  }

  ast::Setting setting(DrplanParser::SettingContext* c) {
    ast::Setting s;
    s.key = c->key->getText();
    s.loc = loc(c->key);
    s.value = expr(c->expr());
    return s;
  }

  std::vector<ast::Attr> attrs(DrplanParser::BlockContext* b) {
    std::vector<ast::Attr> out;
    if (!b) return out;
    for (auto* a : b->attr()) {
      ast::Attr attr;
      attr.key = a->key->getText();
      attr.key_loc = loc(a->key);
      if (!a->eq) {
        duplicates_.push_back({attr.key_loc, "expected '=' after '" + attr.key + "'"});
        continue;
      }
      if (!a->value) {
        duplicates_.push_back({loc(a->eq), "missing value for '" + attr.key + "'"});
        continue;
      }
      attr.value = expr(a->value);
      out.push_back(std::move(attr));
    }
    return out;
  }

  ast::Step step(DrplanParser::StepContext* c, int phase) {
    ast::Step s;
    switch (c->kind->getType()) {
      case DrplanLexer::CHECK: s.kind = ast::StepKind::Check; break;
      case DrplanLexer::GATE: s.kind = ast::StepKind::Gate; break;
      case DrplanLexer::WAIT: s.kind = ast::StepKind::Wait; break;
      default: s.kind = ast::StepKind::Action; break;
    }
    s.kind_loc = loc(c->kind);
    s.name = c->name->getText();
    s.loc = loc(c->name);
    s.phase = phase;
    for (auto* clause : c->stepClause()) {
      if (auto* t = clause->target()) {
        if (!s.target.empty()) duplicates_.push_back({loc(t), "a step has one target ('on'); this is a second one"});
        s.target.clear();
        for (auto* id : t->path()->IDENT()) s.target.push_back(id->getText());
        s.target_loc = loc(t->path());
      }
      if (auto* a = clause->afterClause())
        for (auto* id : a->IDENT()) s.after.emplace_back(id->getText(), loc(id));
      if (auto* w = clause->whenClause()) {
        if (s.when) duplicates_.push_back({loc(w), "a step has one 'when'; combine the conditions with &&"});
        s.when = expr(w->expr());
      }
    }
    if (auto* call_ctx = c->call()) s.uses = call(call_ctx);
    s.attrs = attrs(c->block());
    return s;
  }

  std::unique_ptr<ast::Expr> call(DrplanParser::CallContext* c) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = ast::Expr::Kind::Call;
    e->loc = loc(c);
    for (auto* id : c->path()->IDENT()) e->path.push_back(id->getText());
    for (auto* a : c->arg()) {
      e->arg_names.push_back(a->name ? a->name->getText() : "");
      e->arg_name_locs.push_back(a->name ? loc(a->name) : Loc{});
      e->children.push_back(expr(a->expr()));
    }
    return e;
  }

  std::unique_ptr<ast::Expr> binary(ast::Expr::Kind k, antlr4::ParserRuleContext* c,
                                    DrplanParser::ExprContext* l, DrplanParser::ExprContext* r) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = k;
    e->loc = loc(c);
    e->children.push_back(expr(l));
    e->children.push_back(expr(r));
    return e;
  }

  std::unique_ptr<ast::Expr> expr(DrplanParser::ExprContext* c) {
    using K = ast::Expr::Kind;
    if (auto* n = dynamic_cast<DrplanParser::NotExprContext*>(c)) {
      auto e = std::make_unique<ast::Expr>();
      e->kind = K::Not;
      e->loc = loc(n);
      e->children.push_back(expr(n->expr()));
      return e;
    }
    if (auto* n = dynamic_cast<DrplanParser::CompareExprContext*>(c)) {
      auto e = binary(K::Compare, n, n->expr(0), n->expr(1));
      e->text = n->op->getText();
      return e;
    }
    if (auto* n = dynamic_cast<DrplanParser::AndExprContext*>(c)) return binary(K::And, n, n->expr(0), n->expr(1));
    if (auto* n = dynamic_cast<DrplanParser::OrExprContext*>(c)) return binary(K::Or, n, n->expr(0), n->expr(1));
    if (auto* n = dynamic_cast<DrplanParser::ConcatExprContext*>(c)) return binary(K::Concat, n, n->expr(0), n->expr(1));
    if (auto* n = dynamic_cast<DrplanParser::NoneExprContext*>(c)) {
      auto e = std::make_unique<ast::Expr>();
      e->kind = K::None;
      e->loc = loc(n);
      if (n->reason) e->text = unquote(n->reason->getText());
      return e;
    }
    if (auto* n = dynamic_cast<DrplanParser::CallExprContext*>(c)) return call(n->call());
    if (auto* n = dynamic_cast<DrplanParser::PathExprContext*>(c)) {
      auto e = std::make_unique<ast::Expr>();
      e->kind = K::Path;
      e->loc = loc(n);
      for (auto* id : n->path()->IDENT()) e->path.push_back(id->getText());
      return e;
    }
    if (auto* n = dynamic_cast<DrplanParser::ListExprContext*>(c)) {
      auto e = std::make_unique<ast::Expr>();
      e->kind = K::List;
      e->loc = loc(n);
      for (auto* item : n->expr()) e->children.push_back(expr(item));
      return e;
    }
    if (auto* n = dynamic_cast<DrplanParser::ParenExprContext*>(c)) return expr(n->expr());
    auto* lit = dynamic_cast<DrplanParser::LiteralExprContext*>(c)->literal();
    auto e = std::make_unique<ast::Expr>();
    e->loc = loc(lit);
    antlr4::Token* t = lit->getStart();
    std::string text = t->getText();
    switch (t->getType()) {
      case DrplanLexer::STRING:
        e->kind = K::String;
        e->text = text.substr(1, text.size() - 2);
        e->content_offset = e->loc.offset + 1;
        break;
      case DrplanLexer::TSTRING:
        e->kind = K::String;
        e->text = text.substr(3, text.size() - 6);
        e->content_offset = e->loc.offset + 3;
        e->verbatim = true;
        break;
      case DrplanLexer::QUANTITY:
        e->kind = K::Quantity;
        e->text = text;
        break;
      case DrplanLexer::NUMBER:
        e->kind = K::Number;
        e->text = text;
        e->number = std::strtod(text.c_str(), nullptr);
        break;
      default:
        e->kind = K::Bool;
        e->boolean = t->getType() == DrplanLexer::TRUE;
        e->text = text;
        break;
    }
    return e;
  }

  int file_;
  const OffsetMap& offsets_;

 public:
  std::vector<DiagNote> duplicates_;  // clauses given twice, '=' or values missing: errors
};

// The parser recurses per nesting level; give it a roomy stack of its own.
void run_with_big_stack(const std::function<void()>& fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256u << 20);
  pthread_t th;
  auto* task = new std::function<void()>(fn);
  auto trampoline = [](void* p) -> void* {
    auto* f = static_cast<std::function<void()>*>(p);
    (*f)();
    delete f;
    return nullptr;
  };
  if (pthread_create(&th, &attr, trampoline, task) != 0) {
    delete task;
    fn();  // fall back to the current stack; the pre-screen still bounds the depth
  } else {
    pthread_join(th, nullptr);
  }
  pthread_attr_destroy(&attr);
}

// Control characters are reported one by one (up to a cap), each kind's help once; invalid
// UTF-8 ends the scan: what follows it is likely not text at all.
bool check_source(const std::string& text, int file, DiagnosticEngine& diags) {
  using Kind = SourceProblem::Kind;
  constexpr int kMaxReported = 20;
  int reported = 0;
  bool nul_helped = false, control_helped = false;
  for (SourceProblem p = find_source_problem(text); p.kind != Kind::None && reported < kMaxReported;
       p = find_source_problem(text, p.offset + p.length), ++reported) {
    const Loc at{file, p.offset, p.length};
    if (p.kind == Kind::InvalidUtf8) {
      diags.error(DiagCode::BadEncoding, at, "invalid UTF-8 in source file").help =
          "plans must be UTF-8 text; is this a binary file?";
      return false;
    }
    if (p.kind == Kind::Nul) {
      auto& d = diags.error(DiagCode::ControlCharacter, at, "NUL byte in source file");
      if (!std::exchange(nul_helped, true))
        d.help = "a command would be cut short at the NUL where it runs; remove it (is this a UTF-16 or binary file?)";
      continue;
    }
    char cp[16];
    std::snprintf(cp, sizeof cp, "U+%04X", p.code_point);
    auto& d = diags.error(DiagCode::ControlCharacter, at, std::string("control character ") + cp + " in source file");
    if (!std::exchange(control_helped, true))
      d.help = "only tab, line feed and carriage return may appear in a source; for a command, let the shell make "
               "the character (printf '\\033')";
  }
  return reported == 0;
}

std::unique_ptr<ast::Unit> parse_with_antlr(const std::string& text, int file, DiagnosticEngine& diags) {
  std::unique_ptr<ast::Unit> result;
  const size_t errors_before = diags.error_count();
  run_with_big_stack([&] {
    try {
      OffsetMap offsets(text);
      antlr4::ANTLRInputStream input(text);
      DrplanLexer lexer(&input);
      lexer.removeErrorListeners();
      antlr4::CommonTokenStream tokens(&lexer);
      tokens.fill();
      ErrorCollector errors(file, offsets, static_cast<uint32_t>(text.size()), diags);
      if (!prescreen(tokens, lexer.getVocabulary(), errors, diags)) return;
      DrplanParser parser(&tokens);
      parser.removeErrorListeners();
      // Two stages: the fast SLL prediction bails out at the first problem; only then is the
      // input parsed again with full LL and error recovery, to report every error.
      DrplanParser::FileContext* tree = nullptr;
      parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
      try {
        tree = parser.file();
      } catch (const antlr4::ParseCancellationException&) {
        tree = nullptr;
      }
      if (!tree) {
        tokens.seek(0);
        parser.reset();
        parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
        parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
        parser.addErrorListener(&errors);
        tree = parser.file();
      }
      if (errors.count() > 0) return;
      if (diags.error_count() > errors_before) return;
      Builder builder(file, offsets);
      result = builder.unit(tree);
      for (const auto& d : builder.duplicates_) diags.error(DiagCode::Syntax, d.loc, d.message);
      if (!builder.duplicates_.empty()) result.reset();
    } catch (const std::exception& e) {
      diags.error(DiagCode::Syntax, Loc{file, 0, 0}, std::string("cannot parse: ") + e.what());
      result.reset();
    }
  });
  return result;
}

}  // namespace

std::unique_ptr<ast::Unit> parse_file(const SourceManager& sm, int file, DiagnosticEngine& diags) {
  const std::string& text = sm.text(file);
  if (!check_source(text, file, diags)) return nullptr;
  // ANTLR is some 30 times slower: it runs only when the fast path gives up, to report why.
  if (auto unit = fast_parse(text, file)) return unit;
  return parse_with_antlr(text, file, diags);
}

std::unique_ptr<ast::Unit> parse_file_antlr(const SourceManager& sm, int file, DiagnosticEngine& diags) {
  const std::string& text = sm.text(file);
  return check_source(text, file, diags) ? parse_with_antlr(text, file, diags) : nullptr;
}

std::unique_ptr<ast::Unit> parse_file_fast(const SourceManager& sm, int file) {
  const std::string& text = sm.text(file);
  return find_source_problem(text).kind == SourceProblem::Kind::None ? fast_parse(text, file) : nullptr;
}

}  // namespace drplan

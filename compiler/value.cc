#include "compiler/value.h"

namespace drplan {

ValuePtr Value::string(std::string s, Loc l) {
  auto v = std::make_shared<Value>();
  v->kind = Kind::String;
  v->str = std::move(s);
  v->loc = l;
  return v;
}

ValuePtr Value::code_string(std::string s, Loc l) {
  auto v = std::make_shared<Value>();
  v->kind = Kind::String;
  v->str = std::move(s);
  v->loc = l;
  v->code = true;
  return v;
}

ValuePtr Value::as_data(const ValuePtr& v) {
  if (v->kind == Kind::String && v->code) return string(v->str, v->loc);
  if (v->kind != Kind::Text) return v;
  // Wrapped whole: joined with '+' it stays one interpolated value, never command text.
  auto w = std::make_shared<Value>();
  w->kind = Kind::Text;
  w->loc = v->loc;
  TextPiece p;
  p.value = v;
  p.loc = v->loc;
  w->pieces.push_back(std::move(p));
  return w;
}

ValuePtr Value::integer(long long n, Loc l) {
  auto v = std::make_shared<Value>();
  v->kind = Kind::Int;
  v->num = n;
  v->loc = l;
  return v;
}

ValuePtr Value::boolean_value(bool b, Loc l) {
  auto v = std::make_shared<Value>();
  v->kind = Kind::Bool;
  v->boolean = b;
  v->loc = l;
  return v;
}

std::string with_article(std::string_view word) {
  bool vowel = !word.empty() && std::string_view("aeiou").find(word[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(word);
}

const char* value_kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::Error: return "error";
    case Value::Kind::String: case Value::Kind::Text: return "string";
    case Value::Kind::Int: return "int";
    case Value::Kind::Bool: return "bool";
    case Value::Kind::Duration: return "duration";
    case Value::Kind::Size: return "size";
    case Value::Kind::Percent: return "percent";
    case Value::Kind::Site: return "site";
    case Value::Kind::Hosts: return "host";
    case Value::Kind::List: return "list";
    case Value::Kind::None: return "none";
    case Value::Kind::Secret: return "secret";
    case Value::Kind::StepOutput: return "step output";
    case Value::Kind::StepOk: return "step result";
    case Value::Kind::Ident: return "name";
  }
  return "?";
}

}  // namespace drplan

#include "compiler/ssh_config.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace drplan {
namespace {

bool glob(std::string_view p, std::string_view s) {
  if (p.empty()) return s.empty();
  if (p[0] == '*') {
    for (size_t i = 0; i <= s.size(); ++i)
      if (glob(p.substr(1), s.substr(i))) return true;
    return false;
  }
  if (s.empty()) return false;
  if (p[0] != '?' && std::tolower(static_cast<unsigned char>(p[0])) != std::tolower(static_cast<unsigned char>(s[0])))
    return false;
  return glob(p.substr(1), s.substr(1));
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == ' ' || c == '\t' || c == ',')) {
      if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

bool ssh_host_matches(std::string_view patterns, std::string_view name) {
  bool any = false;
  for (const auto& w : words(patterns)) {
    if (w[0] == '!') {
      if (glob(std::string_view(w).substr(1), name)) return false;  // a negated match excludes
    } else if (glob(w, name)) {
      any = true;
    }
  }
  return any;
}

SshConfigEntry lookup_ssh_config(std::string_view text, std::string_view alias) {
  SshConfigEntry e;
  std::istringstream in{std::string(text)};
  bool active = true;  // lines before the first Host block apply to every host
  for (std::string line; std::getline(in, line);) {
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    line = line.substr(b);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    size_t sep = line.find_first_of(" \t=");
    std::string key = lower(line.substr(0, sep));
    std::string value;
    if (sep != std::string::npos) {
      size_t v = line.find_first_not_of(" \t=", sep);
      if (v != std::string::npos) value = line.substr(v);
    }
    if (key == "host") {
      active = ssh_host_matches(value, alias);
      if (active) e.matched = true;
      continue;
    }
    if (key == "match") {  // conditions drplan does not evaluate: its block is not applied
      active = false;
      e.ignored += (e.ignored.empty() ? "" : ", ") + std::string("Match");
      continue;
    }
    if (!active) continue;
    const auto first = words(value);
    const std::string v = first.empty() ? "" : first[0];
    if (key == "hostname") {
      if (!e.hostname) e.hostname = v;
    } else if (key == "user") {
      if (!e.user) e.user = v;
    } else if (key == "port") {
      if (!e.port) {
        int p = 0;
        for (char c : v) p = std::isdigit(static_cast<unsigned char>(c)) && p <= 65535 ? p * 10 + (c - '0') : -1;
        if (p >= 1 && p <= 65535) e.port = p;
      }
    } else if (key == "identityfile") {
      if (!e.identity) e.identity = v;
    } else if (key == "proxyjump") {
      if (!e.proxy_jump) e.proxy_jump = value;
    } else if (key == "include" || key == "proxycommand" || key == "certificatefile") {
      e.ignored += (e.ignored.empty() ? "" : ", ") + line.substr(0, sep);
    }
  }
  return e;
}

}  // namespace drplan

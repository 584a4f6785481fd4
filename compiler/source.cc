#include "compiler/source.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace drplan {

int SourceManager::load(const std::string& path, std::string* error) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) {
    *error = "cannot open '" + path + "': no such file";
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    *error = "cannot read '" + path + "': is a directory";
    return -1;
  }
  if (static_cast<size_t>(st.st_size) > kMaxFileSize) {
    *error = "'" + path + "' is larger than 64 MiB; refusing to read it";
    return -1;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open '" + path + "': permission denied";
    return -1;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return add(path, ss.str());
}

int SourceManager::add(std::string path, std::string text) {
  auto f = std::make_unique<File>();
  f->path = std::move(path);
  f->text = std::move(text);
  files_.push_back(std::move(f));
  return static_cast<int>(files_.size()) - 1;
}

const std::vector<uint32_t>& SourceManager::line_starts(int file) const {
  File& f = *files_.at(file);
  if (f.line_starts.empty()) {
    f.line_starts.push_back(utf8_bom_length(f.text));  // the caret would be off under an echoed mark
    for (uint32_t i = 0; i < f.text.size(); ++i)
      if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  }
  return f.line_starts;
}

LineCol SourceManager::line_col(Loc loc) const {
  if (!loc.valid()) return {};
  const auto& starts = line_starts(loc.file);
  const uint32_t offset = std::max(loc.offset, starts[0]);
  auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - starts.begin());
  return {line, offset - starts[line - 1] + 1};
}

std::string_view SourceManager::line_text(Loc loc) const {
  if (!loc.valid()) return {};
  const auto& starts = line_starts(loc.file);
  const std::string& t = files_.at(loc.file)->text;
  auto it = std::upper_bound(starts.begin(), starts.end(), std::max(loc.offset, starts[0]));
  uint32_t begin = *(it - 1);
  uint32_t end = begin;
  while (end < t.size() && t[end] != '\n' && t[end] != '\r') ++end;
  return std::string_view(t).substr(begin, end - begin);
}

}  // namespace drplan

#include <openssl/evp.h>

namespace drplan {

uint32_t offset_of(const SourceManager& sm, int file, uint32_t line, uint32_t col) {
  const std::string& t = sm.text(file);
  uint32_t off = utf8_bom_length(t), cur = 1;
  while (cur < line && off < t.size()) {
    if (t[off] == '\n') ++cur;
    ++off;
  }
  off += col > 0 ? col - 1 : 0;
  return std::min<uint32_t>(off, static_cast<uint32_t>(t.size()));
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;

// True when one of the 8 bytes of `w` is not printable ASCII: >= 0x80, < 0x20, or DEL.
// (Bit tricks: x - 0x20 borrows into the high bit exactly where a byte is below 0x20;
// w ^ 0x7f is zero exactly where a byte is DEL.)
bool has_unusual_byte(uint64_t w) {
  const uint64_t below_space = (w - 0x20 * kOnes) & ~w & kHighs;
  const uint64_t del = w ^ (0x7f * kOnes);
  return ((w & kHighs) | below_space | ((del - kOnes) & ~del & kHighs)) != 0;
}

bool allowed_control(unsigned char c) { return c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

SourceProblem find_source_problem(std::string_view s, size_t from) {
  using Kind = SourceProblem::Kind;
  auto problem = [](Kind k, size_t at, size_t len, uint32_t cp) {
    return SourceProblem{k, static_cast<uint32_t>(at), static_cast<uint32_t>(len), cp};
  };
  size_t i = from, n = s.size();
  while (i < n) {
    // Sources are nearly all printable ASCII: skip 8 such bytes at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (has_unusual_byte(word)) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == 0) return problem(Kind::Nul, i, 1, 0);
      if ((c < 0x20 && !allowed_control(c)) || c == 0x7f) return problem(Kind::Control, i, 1, c);
      ++i;
      continue;
    }
    const size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > n) return problem(Kind::InvalidUtf8, i, 1, 0);
    uint32_t cp = len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cont = static_cast<unsigned char>(s[i + k]);
      if ((cont & 0xc0) != 0x80) return problem(Kind::InvalidUtf8, i, 1, 0);
      cp = (cp << 6) | (cont & 0x3f);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return problem(Kind::InvalidUtf8, i, 1, 0);
    if (cp <= 0x9f) return problem(Kind::Control, i, len, cp);  // C1: U+0080..U+009F
    i += len;
  }
  return {};
}

}  // namespace drplan

#include "compiler/source.h"

#include <algorithm>
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

}  // namespace drplan

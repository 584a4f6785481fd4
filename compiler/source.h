#pragma once
// Source files and locations. A location is (file id, byte offset); line and column are
// computed only when a diagnostic is printed.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace drplan {

/// A point in a source file. file < 0 means "no location" (e.g. a command-line option).
struct Loc {
  int file = -1;
  uint32_t offset = 0;
  uint32_t length = 0;  ///< length of the highlighted token, 0 = a single caret
  bool valid() const { return file >= 0; }
};

struct LineCol {
  uint32_t line = 0;  ///< 1-based
  uint32_t col = 0;   ///< 1-based, in bytes
};

/// Owns the text of every file the compiler reads (plans, modules, inventories).
class SourceManager {
 public:
  /// Registers a file read from disk; returns its id, or -1 and fills `error`.
  int load(const std::string& path, std::string* error);
  /// Registers text held in memory (tests, --set values).
  int add(std::string path, std::string text);

  const std::string& path(int file) const { return files_.at(file)->path; }
  const std::string& text(int file) const { return files_.at(file)->text; }
  int count() const { return static_cast<int>(files_.size()); }

  LineCol line_col(Loc loc) const;
  /// The full line containing `loc`, without its newline.
  std::string_view line_text(Loc loc) const;

  /// Largest file drplan accepts (bigger inputs are refused, not parsed).
  static constexpr size_t kMaxFileSize = 64u << 20;

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<uint32_t> line_starts;  // computed lazily
  };
  const std::vector<uint32_t>& line_starts(int file) const;
  std::vector<std::unique_ptr<File>> files_;
};

}  // namespace drplan

namespace drplan {
/// Byte offset of a 1-based (line, col) in `file`, clamped to the text.
uint32_t offset_of(const SourceManager& sm, int file, uint32_t line, uint32_t col);
/// Hex sha256 of bytes.
std::string sha256_hex(std::string_view bytes);
/// 3 when `text` starts with a UTF-8 byte order mark, else 0: where its first line begins.
/// The parsers skip the mark, and diagnostics neither count it as a column nor echo it.
inline uint32_t utf8_bom_length(std::string_view text) { return text.rfind("\xef\xbb\xbf", 0) == 0 ? 3 : 0; }

/// What a plan or module source may not contain, anywhere (literals, comments, between
/// tokens): invalid UTF-8, and control characters other than tab, line feed and carriage
/// return -- NUL above all, which would cut a command short where it runs while the plan
/// shows it whole. Both parsers see a source only once it has none (compiler/parser.cc).
struct SourceProblem {
  enum class Kind { None, InvalidUtf8, Nul, Control } kind = Kind::None;
  uint32_t offset = 0;      ///< of the first byte of the offending sequence or character
  uint32_t length = 0;      ///< its bytes (1 for invalid UTF-8)
  uint32_t code_point = 0;  ///< Nul, Control: the character (C0 but \t \n \r, DEL, C1)
};
/// The first problem in `text` at or after byte `from`; kind None when there is none.
SourceProblem find_source_problem(std::string_view text, size_t from = 0);
}  // namespace drplan

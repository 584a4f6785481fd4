// `drplan graph FILE`: the DAG in Graphviz DOT. Checks are ellipses, actions boxes, gates
// diamonds, waits hexagons; phases are clusters. `-o x.svg` renders it with `dot`.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/compile_common.h"

extern char** environ;

namespace drplan::cli {

namespace {

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string to_dot(const CompiledPlan& p) {
  std::ostringstream o;
  o << "digraph \"" << esc(p.name) << "\" {\n"
    << "  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [color=\"#555555\"];\n";
  if (!p.title.empty()) o << "  label=\"" << esc(p.title) << "\"; labelloc=t;\n";
  auto node = [&](const StepInstance& s) {
    const char* shape = "box";
    const char* fill = "#fff3c4";
    switch (s.kind) {
      case StepKind::Check: shape = "ellipse"; fill = "#d9f2d9"; break;
      case StepKind::Action: shape = "box"; fill = s.point_of_no_return ? "#f7c6c6" : "#fff3c4"; break;
      case StepKind::Gate: shape = "diamond"; fill = "#d6e4ff"; break;
      case StepKind::Wait: shape = "hexagon"; fill = "#e8e8e8"; break;
      case StepKind::Barrier: shape = "point"; fill = "#000000"; break;
    }
    o << "    \"" << esc(s.id) << "\" [shape=" << shape << ", style=\"filled" << (s.enabled ? "" : ",dashed")
      << "\", fillcolor=\"" << fill << "\"";
    if (s.kind != StepKind::Barrier)
      o << ", label=\"" << esc(s.id) << "\\n" << step_kind_name(s.kind) << " on " << esc(s.host_name) << "\"";
    o << "];\n";
  };
  for (size_t ph = 0; ph < p.phases.size(); ++ph) {
    o << "  subgraph cluster_" << ph << " {\n    label=\"" << esc(p.phases[ph].title)
      << "\"; style=rounded; color=\"#8899aa\";\n";
    for (const auto& s : p.steps)
      if (s.phase == static_cast<int>(ph) && s.kind != StepKind::Barrier) node(s);
    o << "  }\n";
  }
  for (const auto& s : p.steps)
    if (s.phase < 0 || s.kind == StepKind::Barrier) node(s);
  for (const auto& s : p.steps)
    for (int d : s.deps) o << "  \"" << esc(p.steps[d].id) << "\" -> \"" << esc(s.id) << "\";\n";
  o << "}\n";
  return o.str();
}

// Renders DOT through `dot -T<fmt> -o FILE`, feeding it on stdin (no shell involved).
int render(const std::string& dot, const std::string& output, const std::string& format) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return 2;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[0], 0);
  posix_spawn_file_actions_addclose(&fa, pipefd[1]);
  std::string fmt = "-T" + format;
  const char* argv[] = {"dot", fmt.c_str(), "-o", output.c_str(), nullptr};
  pid_t pid;
  int rc = posix_spawnp(&pid, "dot", &fa, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pipefd[0]);
  if (rc != 0) {
    close(pipefd[1]);
    std::fprintf(stderr, "drplan: error: cannot run 'dot' to render %s (install graphviz), or use -o %s.dot\n",
                 output.c_str(), output.c_str());
    return 2;
  }
  size_t off = 0;
  while (off < dot.size()) {
    ssize_t n = write(pipefd[1], dot.data() + off, dot.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  close(pipefd[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "drplan: error: dot failed to render %s\n", output.c_str());
    return 2;
  }
  return 0;
}

}  // namespace

int run_graph(const GraphOptions& o) {
  if (!single_plan_inputs("graph", o, /*needs_inventory=*/false)) return 2;
  auto c = compile_one(o.files[0], o);
  if (!c->plan) return 1;
  std::string dot = to_dot(*c->plan);
  if (o.output.empty()) {
    std::fputs(dot.c_str(), stdout);
    return 0;
  }
  auto dotpos = o.output.rfind('.');
  std::string ext = dotpos == std::string::npos ? "" : o.output.substr(dotpos + 1);
  if (ext == "dot" || ext == "gv" || ext.empty()) {
    std::ofstream out(o.output);
    out << dot;
    return out ? 0 : 2;
  }
  return render(dot, o.output, ext);
}

}  // namespace drplan::cli

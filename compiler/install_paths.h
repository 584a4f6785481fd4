#pragma once
// Where drplan finds its own drplan code: the stdlib modules and the standard plans.
// An installed binary uses its own prefix (<bindir>/../share/drplan/{stdlib,plans}); only a
// binary running from the build tree it was built in uses the source tree. So an installed
// drplan never depends on (or is misled by) a build tree that happens to still exist.
#include <string>
#include <vector>

namespace drplan {

/// The directory holding stdlib/ and plans/: the install prefix's share/drplan, or the
/// source tree for a binary in its build tree. Empty when /proc/self/exe is unreadable.
std::string data_dir();

/// Where `use stdlib/x` looks after the plan's own directories: $DRPLAN_STDLIB (the stdlib
/// or its parent), then data_dir().
std::vector<std::string> default_module_dirs();

/// A plan argument as the CLI takes it: a bare name ("failover": no '/', no ".dr", and
/// nothing of that name in the current directory) names the standard plan
/// data_dir()/plans/<name>.dr when that exists; anything else is a path, returned as is.
std::string resolve_plan_argument(const std::string& arg);

}  // namespace drplan

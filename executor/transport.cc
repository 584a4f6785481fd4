#include "executor/transport.h"

// Keeps the interface's vtable in one place.
namespace drplan {}  // namespace drplan

#pragma once
// Which state store a command uses: `--state` (local, or etcd://HOSTS/PREFIX) wins over the
// inventory's [state] table; without either, local files, as always (docs/state.md).
#include <memory>
#include <string>

#include "compiler/inventory.h"
#include "executor/state_store.h"

namespace drplan {

/// The store for `state_flag` (may be empty), else `inventory`'s [state] (may be null). The
/// local store and the etcd store's mirror use `state_dir`. Null with `error` set when the
/// flag is malformed or a secret (the etcd password) cannot be read.
std::unique_ptr<StateStore> open_state_store(const std::string& state_flag, const Inventory* inventory,
                                             const std::string& state_dir, std::string* error);

}  // namespace drplan

#include "executor/state_backend.h"

#include "executor/etcd_state_store.h"
#include "executor/secrets.h"

namespace drplan {

std::unique_ptr<StateStore> open_state_store(const std::string& state_flag, const Inventory* inventory,
                                             const std::string& state_dir, std::string* error) {
  const bool flag_local = state_flag == "local";
  if (!state_flag.empty() && !flag_local) {
    EtcdStoreOptions o;
    if (!parse_etcd_url(state_flag, &o, error)) return nullptr;
    return std::make_unique<EtcdStateStore>(std::move(o), state_dir);
  }
  if (flag_local || inventory == nullptr || inventory->state.backend != "etcd")
    return std::make_unique<LocalStateStore>(state_dir, default_lock_dir());
  const StateConfig& st = inventory->state;
  EtcdStoreOptions o;
  o.client.endpoints = st.endpoints;
  o.client.ca_file = st.ca_file;
  o.client.cert_file = st.cert_file;
  o.client.key_file = st.key_file;
  o.client.user = st.user;
  o.prefix = st.prefix;
  o.lease_ttl = std::chrono::seconds(st.lease_ttl);
  if (!st.password_secret.empty()) {
    auto it = inventory->secrets.find(st.password_secret);
    std::string why;
    std::optional<std::string> pw;
    if (it != inventory->secrets.end()) pw = read_secret(it->second, &why);
    if (!pw) {
      *error = "cannot read the etcd password (secret '" + st.password_secret + "'): " + why;
      return nullptr;
    }
    o.client.password = *pw;
  }
  return std::make_unique<EtcdStateStore>(std::move(o), state_dir);
}

}  // namespace drplan

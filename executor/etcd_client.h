#pragma once
// A small etcd v3 client over etcd's JSON gateway (HTTP POST to /v3/...), for shared state
// between drplan runs at different sites (docs/state.md). etcd 3.4 serves the gateway on its
// client port; leases, key ranges and transactions are all there, so no gRPC toolchain is
// needed. One libcurl easy handle per client, reused (keep-alive); every request has a connect
// and a total timeout; the endpoints are tried in order when one cannot be connected to, and
// the last one that answered is tried first next time.
//
// Keys and values are raw bytes here (base64 on the wire); 64-bit numbers are strings on the
// wire. Errors are values: each call returns false and fills `error` (a gateway error body
// `{"error":...,"code":N}` gives its message). Not thread-safe: one client per thread.
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace drplan::etcd {

/// How to reach the cluster.
struct ClientOptions {
  std::vector<std::string> endpoints;  ///< "http://127.0.0.13:2379", "https://..."; tried in order
  long connect_timeout_ms = 1000;
  long request_timeout_ms = 5000;      ///< the whole request, connect included
  std::string ca_file, cert_file, key_file;  ///< TLS: CA bundle, client certificate and key (PEM)
  std::string user, password;          ///< etcd auth: /v3/auth/authenticate, then a token header
  int64_t page_size = 1000;            ///< keys per range request (ranges are paged)
};

struct KeyValue {
  std::string key, value;
  int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
};

/// One comparison of a transaction.
struct Compare {
  enum class Target { Create, Value };
  Target target = Target::Create;
  std::string key;
  int64_t create_revision = 0;  ///< Target::Create: must equal (0 = the key does not exist)
  std::string value;            ///< Target::Value: must equal
  /// The key does not exist (its create revision is 0): create-if-absent.
  static Compare absent(std::string_view key) { return {Target::Create, std::string(key), 0, {}}; }
  /// The key is still the one created at `revision` (a fencing token: deleted and re-created fails).
  static Compare created_at(std::string_view key, int64_t revision) {
    return {Target::Create, std::string(key), revision, {}};
  }
  static Compare value_is(std::string_view key, std::string_view value) {
    return {Target::Value, std::string(key), 0, std::string(value)};
  }
};

/// One operation of a transaction branch.
struct Op {
  enum class Kind { Put, Range, Delete };
  Kind kind = Kind::Range;
  std::string key, value;
  int64_t lease = 0;
  static Op put(std::string_view key, std::string_view value, int64_t lease = 0) {
    return {Kind::Put, std::string(key), std::string(value), lease};
  }
  static Op range(std::string_view key) { return {Kind::Range, std::string(key), {}, 0}; }
  static Op remove(std::string_view key) { return {Kind::Delete, std::string(key), {}, 0}; }
};

struct OpResult {
  Op::Kind kind = Op::Kind::Range;
  std::vector<KeyValue> kvs;  ///< Range: what it found
  int64_t deleted = 0;        ///< Delete: how many keys went
};

struct Txn {
  std::vector<Compare> compare;
  std::vector<Op> success, failure;
};

struct TxnResult {
  bool succeeded = false;          ///< every compare held: the success branch ran
  int64_t revision = 0;            ///< the store's revision after the transaction
  std::vector<OpResult> responses; ///< one per operation of the branch that ran
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// A lease of `ttl_seconds`; its id in `id`.
  bool lease_grant(int64_t ttl_seconds, int64_t* id, std::string* error);
  /// Renews the lease once; `ttl` is what remains (0: the lease has expired or never existed).
  bool lease_keepalive(int64_t id, int64_t* ttl, std::string* error);
  /// Ends the lease now, deleting its keys.
  bool lease_revoke(int64_t id, std::string* error);
  /// Writes `key` (attached to `lease` unless 0).
  bool put(std::string_view key, std::string_view value, int64_t lease, std::string* error);
  /// Deletes `key`; `deleted` (optional) says whether it existed.
  bool remove(std::string_view key, bool* deleted, std::string* error);
  /// The key, if it exists (`kvs` empty otherwise).
  bool range(std::string_view key, std::vector<KeyValue>* kvs, std::string* error);
  /// Every key starting with `prefix`, in key order, read page by page at one revision.
  bool range_prefix(std::string_view prefix, std::vector<KeyValue>* kvs, std::string* error);
  /// Runs the transaction; a failed compare is not an error (`result->succeeded` false).
  bool txn(const Txn& txn, TxnResult* result, std::string* error);

 private:
  struct Http;
  /// post() with authentication: a token first if a user is set, a new one if it expired.
  bool call(std::string_view path, const nlohmann::json& request, nlohmann::json* reply, std::string* error);
  /// POSTs `request` to `path` on the first endpoint that can be connected to; parses the answer.
  bool post(std::string_view path, const nlohmann::json& request, nlohmann::json* reply, std::string* error);
  bool authenticate(std::string* error);
  ClientOptions options_;
  std::unique_ptr<Http> http_;
  std::string token_;
};

// ---- The wire format, pure functions (unit-tested without etcd) ----

std::string base64_encode(std::string_view bytes);
/// False on characters outside the standard alphabet or a bad length.
bool base64_decode(std::string_view text, std::string* bytes);
/// The smallest key after every key starting with `prefix` (etcd's range_end); "\0" for "".
std::string prefix_end(std::string_view prefix);
/// The body of POST /v3/kv/txn.
nlohmann::json txn_request(const Txn& txn);
/// Reads a /v3/kv/txn answer ("succeeded" is absent when false).
bool parse_txn_reply(const nlohmann::json& reply, TxnResult* result, std::string* error);
/// Reads the "kvs" of a range answer (absent when empty), appending to `kvs`.
bool parse_kvs(const nlohmann::json& reply, std::vector<KeyValue>* kvs, std::string* error);
/// What went wrong, from an HTTP status and a body: the gateway's `{"error":...,"code":N}`
/// message, or the status and the start of the body.
std::string gateway_error(long http_status, std::string_view body);

}  // namespace drplan::etcd

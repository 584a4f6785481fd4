#include "executor/etcd_client.h"

#include <curl/curl.h>

#include <array>
#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>

namespace drplan::etcd {

using json = nlohmann::json;

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A 64-bit number the gateway sends as a string (or, from hand-written JSON, a number); 0 if absent.
int64_t number(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) return 0;
  const auto& s = it->get_ref<const std::string&>();
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string text(const json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json compare_json(const Compare& c) {
  json j = {{"key", base64_encode(c.key)}, {"result", "EQUAL"}};
  if (c.target == Compare::Target::Create) {
    j["target"] = "CREATE";
    j["create_revision"] = std::to_string(c.create_revision);
  } else {
    j["target"] = "VALUE";
    j["value"] = base64_encode(c.value);
  }
  return j;
}

json op_json(const Op& op) {
  json body = {{"key", base64_encode(op.key)}};
  switch (op.kind) {
    case Op::Kind::Put:
      body["value"] = base64_encode(op.value);
      if (op.lease != 0) body["lease"] = std::to_string(op.lease);
      return {{"request_put", body}};
    case Op::Kind::Range:
      return {{"request_range", body}};
    case Op::Kind::Delete:
      return {{"request_delete_range", body}};
  }
  return {};
}

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

/// Failures where the request never reached the endpoint: the next one may be tried.
bool connection_failed(CURLcode rc, CURL* curl) {
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_SSL_CONNECT_ERROR) return true;
  curl_off_t connected = 0;
  return rc == CURLE_OPERATION_TIMEDOUT && curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected) == CURLE_OK &&
         connected == 0;
}

}  // namespace

// ---- wire format ----

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = 0;
    for (size_t k = 0; k < 3; ++k) v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0);
    for (size_t k = 0; k < 4; ++k) out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

bool base64_decode(std::string_view text, std::string* bytes) {
  bytes->clear();
  if (text.size() % 4 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      const size_t d = kAlphabet.find(c);
      const bool last = i + 4 == text.size();
      if (c == '=' && last && k >= 2 && (k == 3 || text[i + 3] == '=')) {
        ++pad;
      } else if (d == std::string_view::npos || pad > 0) {
        return false;
      }
      v = v << 6 | (d == std::string_view::npos ? 0 : static_cast<uint32_t>(d));
    }
    for (int k = 0; k < 3 - pad; ++k) *bytes += static_cast<char>((v >> (16 - 8 * k)) & 0xff);
  }
  return true;
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();  // "a\xff" ends at "b"
  }
  return std::string(1, '\0');  // every key
}

json txn_request(const Txn& txn) {
  json j = {{"compare", json::array()}, {"success", json::array()}, {"failure", json::array()}};
  for (const auto& c : txn.compare) j["compare"].push_back(compare_json(c));
  for (const auto& op : txn.success) j["success"].push_back(op_json(op));
  for (const auto& op : txn.failure) j["failure"].push_back(op_json(op));
  return j;
}

bool parse_kvs(const json& reply, std::vector<KeyValue>* kvs, std::string* error) {
  auto it = reply.find("kvs");
  if (it == reply.end()) return true;  // no keys: the field is omitted
  if (!it->is_array()) {
    *error = "etcd: \"kvs\" is not a list";
    return false;
  }
  for (const auto& j : *it) {
    KeyValue kv;
    if (!base64_decode(text(j, "key"), &kv.key) || !base64_decode(text(j, "value"), &kv.value)) {
      *error = "etcd: a key or value is not base64";
      return false;
    }
    kv.create_revision = number(j, "create_revision");
    kv.mod_revision = number(j, "mod_revision");
    kv.version = number(j, "version");
    kv.lease = number(j, "lease");
    kvs->push_back(std::move(kv));
  }
  return true;
}

bool parse_txn_reply(const json& reply, TxnResult* result, std::string* error) {
  *result = {};
  result->succeeded = reply.value("succeeded", false);  // false is omitted on the wire
  if (auto h = reply.find("header"); h != reply.end()) result->revision = number(*h, "revision");
  auto responses = reply.find("responses");
  if (responses == reply.end()) return true;
  for (const auto& r : *responses) {
    OpResult op;
    if (auto it = r.find("response_range"); it != r.end()) {
      op.kind = Op::Kind::Range;
      if (!parse_kvs(*it, &op.kvs, error)) return false;
    } else if (auto put = r.find("response_put"); put != r.end()) {
      op.kind = Op::Kind::Put;
    } else if (auto del = r.find("response_delete_range"); del != r.end()) {
      op.kind = Op::Kind::Delete;
      op.deleted = number(*del, "deleted");
    } else {
      *error = "etcd: unknown transaction response " + r.dump();
      return false;
    }
    result->responses.push_back(std::move(op));
  }
  return true;
}

std::string gateway_error(long http_status, std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    std::string message = text(j, "message");
    if (message.empty()) message = text(j, "error");
    // A streaming call (lease keepalive) wraps it: {"error":{"grpc_code":5,"message":...}}
    if (auto e = j.find("error"); message.empty() && e != j.end() && e->is_object()) message = text(*e, "message");
    if (!message.empty()) return "etcd: " + message;
  }
  std::string start(body.substr(0, 200));
  while (!start.empty() && (start.back() == '\n' || start.back() == '\r')) start.pop_back();
  return "etcd: HTTP " + std::to_string(http_status) + (start.empty() ? "" : ": " + start);
}

// ---- the client ----

struct Client::Http {
  CURL* curl = nullptr;
  size_t current = 0;  ///< the endpoint that answered last
  ~Http() {
    if (curl) curl_easy_cleanup(curl);
  }
  /// One POST of `body` to `url`, the answer in `answer`; the connection stays open for the next.
  CURLcode perform(const ClientOptions& o, const std::string& url, const std::string& body,
                   curl_slist* headers, std::string* answer) {
    answer->clear();
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, o.request_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM
    if (!o.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, o.ca_file.c_str());
    if (!o.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, o.cert_file.c_str());
    if (!o.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, o.key_file.c_str());
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    return rc;
  }
};

Client::Client(ClientOptions options) : options_(std::move(options)), http_(std::make_unique<Http>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  http_->curl = curl_easy_init();
}

Client::~Client() = default;

bool Client::call(std::string_view path, const json& request, json* reply, std::string* error) {
  if (!options_.user.empty() && token_.empty() && !authenticate(error)) return false;
  if (post(path, request, reply, error)) return true;
  if (token_.empty() || error->find("invalid auth token") == std::string::npos) return false;
  token_.clear();  // expired (etcd's simple tokens live 5 minutes): once more with a new one
  return authenticate(error) && post(path, request, reply, error);
}

bool Client::post(std::string_view path, const json& request, json* reply, std::string* error) {
  CURL* curl = http_->curl;
  if (!curl || options_.endpoints.empty()) {
    *error = curl ? "etcd: no endpoints" : "etcd: curl_easy_init failed";
    return false;
  }
  const std::string body = request.dump();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  if (!token_.empty()) headers = curl_slist_append(headers, ("Authorization: " + token_).c_str());
  std::string answer, failures;
  long status = 0;
  bool answered = false;
  const size_t n = options_.endpoints.size();
  for (size_t tried = 0; tried < n && !answered; ++tried) {
    const size_t i = (http_->current + tried) % n;
    const std::string url = options_.endpoints[i] + std::string(path);
    const CURLcode rc = http_->perform(options_, url, body, headers, &answer);
    if (rc == CURLE_OK) {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      http_->current = i;
      answered = true;
    } else {
      failures += (failures.empty() ? "" : "; ") + url + ": " + curl_easy_strerror(rc);
      if (!connection_failed(rc, curl)) break;  // it may have been applied: never send it twice
    }
  }
  curl_slist_free_all(headers);
  if (!answered) {
    *error = "etcd: " + failures;
    return false;
  }
  *reply = json::parse(answer, nullptr, false);
  if (status != 200 || !reply->is_object() || reply->contains("error")) {
    *error = gateway_error(status, answer);
    return false;
  }
  return true;
}

bool Client::authenticate(std::string* error) {
  token_.clear();  // the request itself goes without a token
  json reply;
  if (!post("/v3/auth/authenticate", {{"name", options_.user}, {"password", options_.password}}, &reply, error)) {
    return false;
  }
  token_ = text(reply, "token");
  if (token_.empty()) *error = "etcd: authentication answered no token";
  return !token_.empty();
}

bool Client::lease_grant(int64_t ttl_seconds, int64_t* id, std::string* error) {
  json reply;
  if (!call("/v3/lease/grant", {{"TTL", std::to_string(ttl_seconds)}}, &reply, error)) return false;
  *id = number(reply, "ID");
  return true;
}

bool Client::lease_keepalive(int64_t id, int64_t* ttl, std::string* error) {
  json reply;
  if (!call("/v3/lease/keepalive", {{"ID", std::to_string(id)}}, &reply, error)) return false;
  // A stream of one message: {"result":{...,"TTL":"9"}}; no TTL once the lease is gone.
  auto result = reply.find("result");
  *ttl = result != reply.end() && result->is_object() ? number(*result, "TTL") : 0;
  return true;
}

bool Client::lease_revoke(int64_t id, std::string* error) {
  json reply;
  return call("/v3/lease/revoke", {{"ID", std::to_string(id)}}, &reply, error);
}

bool Client::put(std::string_view key, std::string_view value, int64_t lease, std::string* error) {
  json request = op_json(Op::put(key, value, lease))["request_put"];
  json reply;
  return call("/v3/kv/put", request, &reply, error);
}

bool Client::remove(std::string_view key, bool* deleted, std::string* error) {
  json reply;
  if (!call("/v3/kv/deleterange", {{"key", base64_encode(key)}}, &reply, error)) return false;
  if (deleted) *deleted = number(reply, "deleted") > 0;
  return true;
}

bool Client::range(std::string_view key, std::vector<KeyValue>* kvs, std::string* error) {
  kvs->clear();
  json reply;
  return call("/v3/kv/range", {{"key", base64_encode(key)}}, &reply, error) && parse_kvs(reply, kvs, error);
}

bool Client::range_prefix(std::string_view prefix, std::vector<KeyValue>* kvs, std::string* error) {
  kvs->clear();
  const std::string end = base64_encode(prefix_end(prefix));
  std::string from(prefix);
  int64_t revision = 0;  // every page at the first page's revision: one consistent snapshot
  for (;;) {
    json request = {{"key", base64_encode(from)}, {"range_end", end}, {"limit", std::to_string(options_.page_size)}};
    if (revision != 0) request["revision"] = std::to_string(revision);
    json reply;
    const size_t before = kvs->size();
    if (!call("/v3/kv/range", request, &reply, error) || !parse_kvs(reply, kvs, error)) return false;
    if (revision == 0 && reply.contains("header")) revision = number(reply["header"], "revision");
    if (!reply.value("more", false) || kvs->size() == before) return true;
    from = kvs->back().key + '\0';  // the next key after the last one read
  }
}

bool Client::txn(const Txn& txn, TxnResult* result, std::string* error) {
  json reply;
  return call("/v3/kv/txn", txn_request(txn), &reply, error) && parse_txn_reply(reply, result, error);
}

}  // namespace drplan::etcd

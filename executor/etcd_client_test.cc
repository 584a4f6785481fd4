// The etcd client: its wire format without etcd, then its operations against a single etcd
// member of its own (skipped without /usr/bin/etcd), which the fixture stops even on failure.
#include "executor/etcd_client.h"

#include "executor/etcd_test_member.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

namespace drplan::etcd {
namespace {

using json = nlohmann::json;
using test_support::EtcdMember;
using test_support::have_etcd;
using namespace std::chrono_literals;

/// Options for `endpoints` (g++ 12 warns about designated initializers that leave members out).
ClientOptions at(std::vector<std::string> endpoints, long connect_timeout_ms = 1000, long request_timeout_ms = 5000) {
  ClientOptions o;
  o.endpoints = std::move(endpoints);
  o.connect_timeout_ms = connect_timeout_ms;
  o.request_timeout_ms = request_timeout_ms;
  return o;
}

// ---- wire format ----

TEST(EtcdWire, Base64RoundTripsBytes) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  const std::string binary("\0\xff/lock\x80", 8);
  std::string back;
  ASSERT_TRUE(base64_decode(base64_encode(binary), &back));
  EXPECT_EQ(back, binary);
  ASSERT_TRUE(base64_decode("Zm8=", &back));
  EXPECT_EQ(back, "fo");
  for (const char* bad : {"Zm9", "Zm=v", "Z===", "Zm9v!A==", "=Zm9", "Zg==Zg=="}) {
    EXPECT_FALSE(base64_decode(bad, &back)) << bad;
  }
}

TEST(EtcdWire, PrefixEndIsTheFirstKeyAfterThePrefix) {
  EXPECT_EQ(prefix_end("a/"), "a0");
  EXPECT_EQ(prefix_end("a\xff"), "b");
  EXPECT_EQ(prefix_end(""), std::string(1, '\0'));
}

TEST(EtcdWire, TxnRequestForCreateIfAbsent) {
  Txn txn{{Compare::absent("/l")}, {Op::put("/l", "me", 7)}, {Op::range("/l")}};
  EXPECT_EQ(txn_request(txn).dump(),
            R"({"compare":[{"create_revision":"0","key":"L2w=","result":"EQUAL","target":"CREATE"}],)"
            R"("failure":[{"request_range":{"key":"L2w="}}],)"
            R"("success":[{"request_put":{"key":"L2w=","lease":"7","value":"bWU="}}]})");
  Txn fenced{{Compare::created_at("/l", 42), Compare::value_is("/l", "me")}, {Op::remove("/s")}, {}};
  EXPECT_EQ(txn_request(fenced).dump(),
            R"({"compare":[{"create_revision":"42","key":"L2w=","result":"EQUAL","target":"CREATE"},)"
            R"({"key":"L2w=","result":"EQUAL","target":"VALUE","value":"bWU="}],"failure":[],)"
            R"("success":[{"request_delete_range":{"key":"L3M="}}]})");
}

TEST(EtcdWire, AFailedTxnHasNoSucceededFieldAndNamesTheHolder) {
  // etcd 3.4's answer to a create-if-absent on a key that exists (measured).
  const json reply = json::parse(
      R"({"header":{"cluster_id":"1","member_id":"2","revision":"2","raft_term":"2"},"responses":[{"response_range":)"
      R"({"header":{"revision":"2"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"1",)"
      R"("value":"YmFy","lease":"5527502595265115909"}],"count":"1"}}]})");
  TxnResult r;
  std::string error;
  ASSERT_TRUE(parse_txn_reply(reply, &r, &error)) << error;
  EXPECT_FALSE(r.succeeded);
  EXPECT_EQ(r.revision, 2);
  ASSERT_EQ(r.responses.size(), 1u);
  ASSERT_EQ(r.responses[0].kvs.size(), 1u);
  const KeyValue& kv = r.responses[0].kvs[0];
  EXPECT_EQ(kv.key, "foo");
  EXPECT_EQ(kv.value, "bar");
  EXPECT_EQ(kv.create_revision, 2);
  EXPECT_EQ(kv.mod_revision, 3);
  EXPECT_EQ(kv.lease, 5527502595265115909);
}

TEST(EtcdWire, ASucceededTxnAndAnEmptyRange) {
  const json reply = json::parse(
      R"({"header":{"revision":"6"},"succeeded":true,"responses":[{"response_delete_range":{"header":{},)"
      R"("deleted":"1"}},{"response_put":{"header":{}}},{"response_range":{"header":{}}}]})");
  TxnResult r;
  std::string error;
  ASSERT_TRUE(parse_txn_reply(reply, &r, &error)) << error;
  EXPECT_TRUE(r.succeeded);
  ASSERT_EQ(r.responses.size(), 3u);
  EXPECT_EQ(r.responses[0].kind, Op::Kind::Delete);
  EXPECT_EQ(r.responses[0].deleted, 1);
  EXPECT_EQ(r.responses[1].kind, Op::Kind::Put);
  EXPECT_EQ(r.responses[2].kind, Op::Kind::Range);
  EXPECT_TRUE(r.responses[2].kvs.empty());
  EXPECT_FALSE(parse_txn_reply(json::parse(R"({"responses":[{"response_what":{}}]})"), &r, &error));
  EXPECT_EQ(error, R"(etcd: unknown transaction response {"response_what":{}})");
  std::vector<KeyValue> kvs;
  EXPECT_FALSE(parse_kvs(json::parse(R"({"kvs":[{"key":"not base64!"}]})"), &kvs, &error));
  EXPECT_EQ(error, "etcd: a key or value is not base64");
}

TEST(EtcdWire, GatewayErrorsGiveTheirMessage) {
  EXPECT_EQ(gateway_error(400, R"({"error":"etcdserver: requested lease not found","message":)"
                               R"("etcdserver: requested lease not found","code":5})"),
            "etcd: etcdserver: requested lease not found");
  EXPECT_EQ(gateway_error(200, R"({"error":{"grpc_code":5,"http_code":404,"message":"lease gone"}})"),
            "etcd: lease gone");
  EXPECT_EQ(gateway_error(404, "Not Found\n"), "etcd: HTTP 404: Not Found");
  EXPECT_EQ(gateway_error(502, ""), "etcd: HTTP 502");
}

TEST(EtcdWire, NoEndpointAnsweringNamesEachOne) {
  Client client(at({"http://127.0.0.1:1", "http://127.0.0.1:2"}, 500));
  std::vector<KeyValue> kvs;
  std::string error;
  EXPECT_FALSE(client.range("k", &kvs, &error));
  EXPECT_NE(error.find("http://127.0.0.1:1/v3/kv/range: Couldn't connect to server; "
                       "http://127.0.0.1:2/v3/kv/range: Couldn't connect to server"),
            std::string::npos)
      << error;
}

// ---- against a real etcd member ----

/// One member for the suite (each test uses its own keys).
class EtcdLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (have_etcd()) member_ = new EtcdMember;
  }
  static void TearDownTestSuite() {
    delete member_;
    member_ = nullptr;
  }
  void SetUp() override {
    if (!have_etcd()) GTEST_SKIP() << "no /usr/bin/etcd (apt-get install etcd-server)";
    ASSERT_TRUE(member_->ready()) << "etcd did not start; its log: " << member_->log();
    url_ = member_->url();
  }
  Client client() { return Client(at({url_})); }
  /// The key's entry (create_revision 0 when it does not exist).
  KeyValue get(Client& c, const std::string& key) {
    std::vector<KeyValue> kvs;
    std::string error;
    EXPECT_TRUE(c.range(key, &kvs, &error)) << error;
    return kvs.empty() ? KeyValue{} : kvs[0];
  }
  static inline EtcdMember* member_ = nullptr;
  std::string url_;
};

/// Create-if-absent of `key` = `holder` under `lease`; the failure branch reads the key.
Txn take(const std::string& key, const std::string& holder, int64_t lease) {
  return {{Compare::absent(key)}, {Op::put(key, holder, lease)}, {Op::range(key)}};
}

TEST_F(EtcdLive, CreateIfAbsentIsRefusedAndNamesTheHolder) {
  Client c = client();
  std::string error;
  int64_t lease = 0;
  ASSERT_TRUE(c.lease_grant(10, &lease, &error)) << error;
  EXPECT_NE(lease, 0);
  TxnResult r;
  ASSERT_TRUE(c.txn(take("/lock/a", "dc-run-1", lease), &r, &error)) << error;
  EXPECT_TRUE(r.succeeded);
  ASSERT_TRUE(c.txn(take("/lock/a", "dr-run-2", lease), &r, &error)) << error;
  EXPECT_FALSE(r.succeeded);
  ASSERT_EQ(r.responses.size(), 1u);
  ASSERT_EQ(r.responses[0].kvs.size(), 1u);
  EXPECT_EQ(r.responses[0].kvs[0].value, "dc-run-1");
  EXPECT_EQ(r.responses[0].kvs[0].lease, lease);
  ASSERT_TRUE(c.lease_revoke(lease, &error)) << error;
}

TEST_F(EtcdLive, AFencedPutHoldsOnlyWhileTheKeyIsTheSameOne) {
  Client c = client();
  std::string error;
  TxnResult r;
  ASSERT_TRUE(c.txn(take("/lock/b", "dc-run-1", 0), &r, &error)) << error;
  const int64_t token = get(c, "/lock/b").create_revision;
  ASSERT_GT(token, 0);
  Txn fenced{{Compare::created_at("/lock/b", token)}, {Op::put("/state/b", "failover")}, {}};
  ASSERT_TRUE(c.txn(fenced, &r, &error)) << error;
  EXPECT_TRUE(r.succeeded);
  EXPECT_EQ(get(c, "/state/b").value, "failover");
  bool deleted = false;
  ASSERT_TRUE(c.remove("/lock/b", &deleted, &error)) << error;
  EXPECT_TRUE(deleted);
  ASSERT_TRUE(c.put("/lock/b", "dr-run-2", 0, &error)) << error;  // someone else's lock now
  fenced.success = {Op::put("/state/b", "stale writer")};
  ASSERT_TRUE(c.txn(fenced, &r, &error)) << error;
  EXPECT_FALSE(r.succeeded);
  EXPECT_EQ(get(c, "/state/b").value, "failover");
  Txn by_value{{Compare::value_is("/lock/b", "dr-run-2")}, {Op::remove("/lock/b")}, {}};
  ASSERT_TRUE(c.txn(by_value, &r, &error)) << error;
  EXPECT_TRUE(r.succeeded);
  ASSERT_EQ(r.responses.size(), 1u);
  EXPECT_EQ(r.responses[0].deleted, 1);
}

TEST_F(EtcdLive, KeepaliveThenExpiryDeletesTheKey) {
  Client c = client();
  std::string error;
  int64_t lease = 0, ttl = -1;
  ASSERT_TRUE(c.lease_grant(2, &lease, &error)) << error;
  ASSERT_TRUE(c.put("/lock/c", "dc-run-1", lease, &error)) << error;
  ASSERT_TRUE(c.lease_keepalive(lease, &ttl, &error)) << error;
  EXPECT_EQ(ttl, 2);
  const auto start = std::chrono::steady_clock::now();
  while (get(c, "/lock/c").create_revision != 0 && std::chrono::steady_clock::now() - start < 6s) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(get(c, "/lock/c").create_revision, 0) << "the key outlived its lease";
  ASSERT_TRUE(c.lease_keepalive(lease, &ttl, &error)) << error;
  EXPECT_EQ(ttl, 0) << "an expired lease renews to 0";
}

TEST_F(EtcdLive, RevokeDeletesTheKeysAndUnknownLeasesAreErrors) {
  Client c = client();
  std::string error;
  int64_t lease = 0, ttl = -1;
  ASSERT_TRUE(c.lease_grant(30, &lease, &error)) << error;
  ASSERT_TRUE(c.put("/lock/d", "x", lease, &error)) << error;
  ASSERT_TRUE(c.lease_revoke(lease, &error)) << error;
  EXPECT_EQ(get(c, "/lock/d").create_revision, 0);
  ASSERT_TRUE(c.lease_keepalive(lease, &ttl, &error)) << error;
  EXPECT_EQ(ttl, 0);
  EXPECT_FALSE(c.lease_revoke(lease, &error));
  EXPECT_EQ(error, "etcd: etcdserver: requested lease not found");
  EXPECT_FALSE(c.put("/lock/d", "x", lease, &error));
  EXPECT_EQ(error, "etcd: etcdserver: requested lease not found");
}

TEST_F(EtcdLive, RangePrefixReadsEveryPage) {
  ClientOptions options = at({url_});
  options.page_size = 2;
  Client c(options);
  std::string error;
  for (const char* k : {"/p/1", "/p/2", "/p/3", "/p/4", "/p/5", "/q", "/p"}) {
    ASSERT_TRUE(c.put(k, std::string("v") + k, 0, &error)) << error;
  }
  std::vector<KeyValue> kvs;
  ASSERT_TRUE(c.range_prefix("/p/", &kvs, &error)) << error;
  std::vector<std::string> keys;
  for (const auto& kv : kvs) keys.push_back(kv.key + "=" + kv.value);
  EXPECT_EQ(keys, (std::vector<std::string>{"/p/1=v/p/1", "/p/2=v/p/2", "/p/3=v/p/3", "/p/4=v/p/4", "/p/5=v/p/5"}));
  ASSERT_TRUE(c.range_prefix("/none/", &kvs, &error)) << error;
  EXPECT_TRUE(kvs.empty());
}

TEST_F(EtcdLive, ADeadEndpointIsSkipped) {
  Client c(at({"http://127.0.0.1:1", url_}));
  std::string error;
  ASSERT_TRUE(c.put("/f", "1", 0, &error)) << error;
  EXPECT_EQ(get(c, "/f").value, "1");
}

TEST(EtcdAuth, AUserGetsATokenAndWrongPasswordsAreRefused) {
  if (!have_etcd() || access("/usr/bin/etcdctl", X_OK) != 0) GTEST_SKIP() << "no etcd/etcdctl";
  EtcdMember member;
  ASSERT_TRUE(member.ready()) << member.log();
  const std::string ctl = "ETCDCTL_API=3 /usr/bin/etcdctl --endpoints=" + member.url() + " ";
  ASSERT_EQ(std::system((ctl + "user add root:s3cret >/dev/null 2>&1 && " + ctl + "auth enable >/dev/null 2>&1").c_str()), 0);
  ClientOptions options = at({member.url()});
  std::string error;
  std::vector<KeyValue> kvs;
  EXPECT_FALSE(Client(options).range("k", &kvs, &error)) << "auth is on: no token, no answer";
  EXPECT_EQ(error, "etcd: etcdserver: user name is empty");
  options.user = "root";
  options.password = "wrong";
  EXPECT_FALSE(Client(options).put("k", "v", 0, &error));
  EXPECT_EQ(error, "etcd: etcdserver: authentication failed, invalid user ID or password");
  options.password = "s3cret";
  Client c(options);
  ASSERT_TRUE(c.put("k", "v", 0, &error)) << error;
  ASSERT_TRUE(c.range("k", &kvs, &error)) << error;
  ASSERT_EQ(kvs.size(), 1u);
  EXPECT_EQ(kvs[0].value, "v");
}

}  // namespace
}  // namespace drplan::etcd

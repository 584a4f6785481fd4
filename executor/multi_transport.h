#pragma once
// Routes each command to the transport its host asks for: this machine (no host, or a host
// whose inventory entry says `transport = "local"`) or SSH. The scheduler sees one Transport.
#include "executor/transport.h"

namespace drplan {

class MultiTransport : public Transport {
 public:
  /// Neither transport is owned; both must outlive this object.
  MultiTransport(Transport& local, Transport& ssh) : local_(local), ssh_(ssh) {}

  /// Dispatches on `req.host`: nullptr or transport "local" → local; otherwise SSH.
  ExecResult exec(const ExecRequest& req) override;
  /// Shuts both down.
  void shutdown() override;

 private:
  Transport& local_;
  Transport& ssh_;
};

}  // namespace drplan

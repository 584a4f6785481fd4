#include "executor/multi_transport.h"

namespace drplan {

ExecResult MultiTransport::exec(const ExecRequest& req) {
  if (req.host == nullptr || req.host->transport == "local") return local_.exec(req);
  if (req.host->transport != "ssh") {
    ExecResult result;
    result.error = "host '" + req.host->name + "' names an unknown transport '" + req.host->transport +
                   "' (expected \"ssh\" or \"local\")";
    return result;
  }
  return ssh_.exec(req);
}

void MultiTransport::shutdown() {
  local_.shutdown();
  ssh_.shutdown();
}

}  // namespace drplan

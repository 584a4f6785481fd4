#include "executor/fake_transport.h"

#include <algorithm>
#include <thread>

namespace drplan {

void FakeTransport::on_command(std::string substring, FakeScript script) {
  std::lock_guard<std::mutex> lock(mu_);
  command_rules_.push_back({std::move(substring), std::move(script), 0});
}

void FakeTransport::on_step(std::string step_id, FakeScript script) {
  std::lock_guard<std::mutex> lock(mu_);
  step_rules_.push_back({std::move(step_id), std::move(script), 0});
}

void FakeTransport::set_default(FakeScript script) {
  std::lock_guard<std::mutex> lock(mu_);
  default_.script = std::move(script);
}

FakeTransport::Rule* FakeTransport::match(const ExecRequest& req) {
  for (auto& r : step_rules_)
    if (r.key == req.step_id) return &r;
  for (auto& r : command_rules_)
    if (req.command.find(r.key) != std::string::npos) return &r;
  return &default_;
}

ExecResult FakeTransport::exec(const ExecRequest& req) {
  const std::string host = req.host ? req.host->name : "local";
  FakeScript script;
  bool fail_now = false;
  bool lost_now = false;
  size_t slot = 0;
  auto start = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    Rule* rule = match(req);
    script = rule->script;
    lost_now = rule->used < script.lost_times;
    fail_now = rule->used++ < script.fail_times;
    max_running_ = std::max(max_running_, ++running_);
    max_per_host_[host] = std::max(max_per_host_[host], ++running_per_host_[host]);
    slot = calls_.size();
    Call c;
    c.seq = static_cast<int>(slot);
    c.step_id = req.step_id;
    c.host = host;
    c.command = req.command;
    c.env = req.env;
    c.start = start;
    calls_.push_back(std::move(c));
  }

  ExecResult r;
  if (script.refused) {
    r.connection_lost = true;
    r.error = "Connection refused";
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    --running_per_host_[host];
    calls_[slot].end = Clock::now();
    calls_[slot].result = r;
    return r;
  }
  r.started = true;
  // Sleep in small slices so a timeout or a cancellation ends the "command" as it would a process.
  const auto slice = std::chrono::milliseconds(2);
  for (;;) {
    auto elapsed = Clock::now() - start;
    if (elapsed >= script.delay) break;
    if (req.timeout.count() > 0 && elapsed >= req.timeout) {
      r.timed_out = true;
      break;
    }
    if (req.cancel && req.cancel->cancelled.load()) {
      r.cancelled = true;
      break;
    }
    std::this_thread::sleep_for(slice);
  }
  if (r.timed_out || r.cancelled) {
    r.signal = "TERM";
    r.error = r.timed_out ? "timed out" : "cancelled by the operator";
  } else if ((script.connection_lost || lost_now) && !fail_now) {
    r.connection_lost = true;
    r.error = "connection lost";
  } else {
    r.exit_code = fail_now ? script.fail_exit : script.exit_code;
    r.stdout_text = script.stdout_text;
    r.stderr_text = script.stderr_text;
    if (req.on_line && !r.stdout_text.empty()) req.on_line(r.stdout_text, false, false);
  }
  auto end = Clock::now();
  r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(end - start);

  std::lock_guard<std::mutex> lock(mu_);
  --running_;
  --running_per_host_[host];
  calls_[slot].end = end;
  calls_[slot].result = r;
  return r;
}

std::vector<FakeTransport::Call> FakeTransport::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

std::vector<FakeTransport::Call> FakeTransport::calls_matching(const std::string& substring) const {
  std::vector<Call> out;
  for (auto& c : calls())
    if (c.command.find(substring) != std::string::npos) out.push_back(std::move(c));
  return out;
}

std::vector<FakeTransport::Call> FakeTransport::calls_of(const std::string& step_id) const {
  std::vector<Call> out;
  for (auto& c : calls())
    if (c.step_id == step_id) out.push_back(std::move(c));
  return out;
}

int FakeTransport::max_concurrency() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_running_;
}

int FakeTransport::max_concurrency(const std::string& host) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = max_per_host_.find(host);
  return it == max_per_host_.end() ? 0 : it->second;
}

}  // namespace drplan

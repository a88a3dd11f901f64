#include "http/server_state.h"

#include <spdlog/spdlog.h>

namespace observo::http {

ServerState::ServerState(AppContext& context, std::shared_ptr<boost::asio::ssl::context> tls)
    : context_(context), tls_(std::move(tls)), metrics_(context.hub.registry()) {}

Admission ServerState::admit() {
  const int limit = config().max_connections;
  std::lock_guard lock(mutex_);
  if (limit <= 0 || serving_ < limit) {
    ++serving_;
    metrics_.set_open_connections(serving_);
    return Admission::kServe;
  }
  if (!at_limit_logged_) {
    // Once per episode, not once per connection: the counter has the numbers.
    spdlog::warn("http: {} connections open (server.max_connections); answering 503 to new ones",
                 limit);
    at_limit_logged_ = true;
  }
  if (rejecting_ < limit) {
    ++rejecting_;
    metrics_.connection_answered_503();
    return Admission::kReject;
  }
  metrics_.connection_closed_at_limit();
  return Admission::kDrop;
}

void ServerState::attach(std::uint64_t id, std::weak_ptr<SessionControl> session) {
  std::lock_guard lock(mutex_);
  sessions_[id] = std::move(session);
}

void ServerState::release(std::uint64_t id, Admission admission) {
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
    if (admission == Admission::kServe) {
      --serving_;
      metrics_.set_open_connections(serving_);
    } else if (admission == Admission::kReject) {
      --rejecting_;
    }
    const int limit = config().max_connections;
    if (at_limit_logged_ && serving_ < limit && rejecting_ == 0) {
      spdlog::info("http: below server.max_connections again ({} open)", serving_);
      at_limit_logged_ = false;
    }
  }
  closed_.notify_all();
}

std::vector<std::shared_ptr<SessionControl>> ServerState::sessions() {
  std::vector<std::shared_ptr<SessionControl>> out;
  std::lock_guard lock(mutex_);
  out.reserve(sessions_.size());
  for (const auto& [id, weak] : sessions_) {
    if (auto session = weak.lock()) out.push_back(std::move(session));
  }
  return out;
}

bool ServerState::wait_closed(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return closed_.wait_until(lock, deadline, [this] { return serving_ + rejecting_ == 0; });
}

int ServerState::open_connections() {
  std::lock_guard lock(mutex_);
  return serving_ + rejecting_;
}

}  // namespace observo::http

// What the gRPC and HTTP receivers share: where decoded requests go, who may send them, how
// many may be processed at once, and the counters they keep. The beyla source builds one
// ReceiverContext and hands it to every receiver.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "observo/common/result.h"
#include "observo/config/config.h"
#include "sources/beyla/ingest.h"

namespace observo::beyla {

enum class Signal { kMetrics, kTraces };

// Checks the credential of one export call: the value of the `authorization` header (HTTP) or
// metadata entry (gRPC), "Bearer <token>"; empty when the sender sent none. Implemented in
// auth.cpp for otlp.auth.mode none, token and jwt (HS256, aud, iss, exp, nbf).
class Authenticator {
 public:
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
  // Reads the tokens or key named by the config (files, environment). Errors name the key.
  static Result<std::unique_ptr<Authenticator>> create(const config::OtlpAuthConfig& config,
                                                       const EnvLookup& env);
  virtual ~Authenticator() = default;
  // nullopt: accepted. Otherwise the reason ("missing bearer token", "token expired", ...),
  // which never contains the credential.
  virtual std::optional<std::string> check(std::string_view authorization) const = 0;
};

// At most `limit` exports processed at once; try_acquire() fails beyond it (429 /
// RESOURCE_EXHAUSTED) instead of queueing.
class InflightLimiter {
 public:
  explicit InflightLimiter(int limit) : limit_(limit) {}

  class Slot {
   public:
    explicit Slot(std::atomic<int>* count) : count_(count) {}
    Slot(Slot&& other) noexcept : count_(std::exchange(other.count_, nullptr)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (count_) count_->fetch_sub(1, std::memory_order_acq_rel);
    }

   private:
    std::atomic<int>* count_;
  };

  std::optional<Slot> try_acquire() {
    if (count_.fetch_add(1, std::memory_order_acq_rel) >= limit_) {
      count_.fetch_sub(1, std::memory_order_acq_rel);
      return std::nullopt;
    }
    return Slot(&count_);
  }

 private:
  const int limit_;
  std::atomic<int> count_{0};
};

// Self-metrics of the receivers (implemented in receiver_stats.cpp, registered in the Hub's
// live registry): observo_otlp_requests_total{transport,signal,outcome},
// observo_otlp_data_points_received_total{transport}, observo_otlp_data_points_rejected_total
// {transport}, observo_otlp_spans_received_total{transport},
// observo_otlp_spans_rejected_total{transport}. transport: "grpc" or "http".
class ReceiverStats {
 public:
  virtual ~ReceiverStats() = default;
  // outcome: "success", "partial", "invalid", "unauthenticated", "too_large", "busy",
  // "unsupported_media_type".
  virtual void request(std::string_view transport, Signal signal, std::string_view outcome) = 0;
  virtual void ingested(std::string_view transport, Signal signal,
                        const IngestOutcome& outcome) = 0;
};

struct ReceiverContext {
  MetricsIngest& metrics;
  TraceIngest& traces;
  const Authenticator& auth;
  InflightLimiter& inflight;
  ReceiverStats& stats;
  std::size_t max_message_bytes = 4 * 1024 * 1024;
};

}  // namespace observo::beyla

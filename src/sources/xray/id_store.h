// Processed trace (and segment) IDs, kept compactly so that millions fit in tens of megabytes.
//
// A trace ID "1-5f84c7a1-a006649127e371903a2de979" is 128 bits of information (32-bit epoch +
// 96 random bits): it is stored as two 64-bit words plus a 32-bit "seen at" time in an
// open-addressing table (20 bytes a slot, load <= 0.8: about 25 bytes per ID when full).
// The store is bounded: at max_ids the oldest sixteenth is evicted; evict_older_than() applies
// retention_days / cleanup_age_hours. Saved in a versioned binary file, written atomically.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "observo/common/result.h"

namespace observo::xray {

struct TraceKey {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  friend bool operator==(const TraceKey&, const TraceKey&) = default;
};

// "1-<8 hex>-<24 hex>" -> key; an OTel-style 32-hex ID is accepted too.
Result<TraceKey> parse_trace_id(std::string_view trace_id);
// A key for one segment of a trace (UDP dedup): the trace key mixed with the 16-hex segment id.
Result<TraceKey> segment_key(std::string_view trace_id, std::string_view segment_id);

class TraceIdStore {
 public:
  explicit TraceIdStore(std::size_t max_ids);

  // False when the key was already there (its time is left as it was).
  bool insert(TraceKey key, std::uint32_t seen_at);
  bool contains(TraceKey key) const;
  std::size_t size() const { return size_; }
  std::size_t max_ids() const { return max_ids_; }
  std::size_t evict_older_than(std::uint32_t cutoff);
  void clear();
  std::size_t memory_bytes() const;

  // Binary file: "OBXTIDS\0", u32 version, u64 count, count x (u64 hi, u64 lo, u32 time), u64
  // FNV-1a checksum; little-endian. Written to <path>.tmp, fsynced, renamed over <path>.
  Result<void> save(const std::string& path) const;
  static Result<TraceIdStore> load(const std::string& path, std::size_t max_ids);

 private:
  std::size_t slot_of(TraceKey key) const;
  void rehash(std::size_t capacity);
  void evict_oldest();
  bool insert_unchecked(TraceKey key, std::uint32_t seen_at);

  std::size_t max_ids_;
  std::size_t size_ = 0;
  std::vector<std::uint64_t> hi_;
  std::vector<std::uint64_t> lo_;
  std::vector<std::uint32_t> time_;
};

// Writes `data` to `path` atomically (temporary file, fsync, rename, fsync of the folder). On
// any failure the previous file is left as it was.
Result<void> write_file_atomically(const std::string& path, std::string_view data);

}  // namespace observo::xray

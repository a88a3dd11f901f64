#include "sources/xray/id_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace observo::xray {
namespace {

constexpr char kMagic[8] = {'O', 'B', 'X', 'T', 'I', 'D', 'S', '\0'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kRecordBytes = 20;
__extension__ using Uint128 = unsigned __int128;

bool parse_hex(std::string_view text, std::uint64_t& out) {
  out = 0;
  for (char c : text) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) return false;
    out = (out << 4) | static_cast<std::uint64_t>(v);
  }
  return true;
}

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

std::uint64_t fnv1a(std::string_view data) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

template <typename T>
void put(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out.push_back(static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xff));
  }
}

template <typename T>
T get(const char* data) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(data[i])) << (8 * i);
  }
  return static_cast<T>(value);
}

bool is_empty(std::uint64_t hi, std::uint64_t lo) { return hi == 0 && lo == 0; }

TraceKey non_zero(TraceKey key) {
  if (is_empty(key.hi, key.lo)) key.lo = 1;  // the empty-slot marker is reserved
  return key;
}

}  // namespace

Result<TraceKey> parse_trace_id(std::string_view id) {
  TraceKey key;
  std::uint64_t epoch = 0, high = 0, low = 0;
  if (id.size() == 35 && id[0] == '1' && id[1] == '-' && id[10] == '-' &&
      parse_hex(id.substr(2, 8), epoch) && parse_hex(id.substr(11, 8), high) &&
      parse_hex(id.substr(19, 16), low)) {
    key.hi = (epoch << 32) | high;
    key.lo = low;
    return non_zero(key);
  }
  if (id.size() == 32 && parse_hex(id.substr(0, 16), high) && parse_hex(id.substr(16), low)) {
    return non_zero(TraceKey{high, low});
  }
  return make_error("not an X-Ray trace ID");
}

Result<TraceKey> segment_key(std::string_view trace_id, std::string_view segment_id) {
  auto key = parse_trace_id(trace_id);
  if (!key) return key;
  std::uint64_t segment = 0;
  if (segment_id.empty() || segment_id.size() > 16 || !parse_hex(segment_id, segment)) {
    return make_error("not an X-Ray segment ID");
  }
  key->lo ^= mix(segment);
  key->hi ^= mix(segment ^ 0x9e3779b97f4a7c15ULL);
  return non_zero(*key);
}

TraceIdStore::TraceIdStore(std::size_t max_ids) : max_ids_(std::max<std::size_t>(max_ids, 16)) {
  rehash(64);
}

std::size_t TraceIdStore::slot_of(TraceKey key) const {
  const std::uint64_t h = mix(key.hi * 0x9e3779b97f4a7c15ULL ^ key.lo);
  return static_cast<std::size_t>((static_cast<Uint128>(h) * hi_.size()) >> 64);
}

void TraceIdStore::rehash(std::size_t capacity) {
  auto old_hi = std::move(hi_);
  auto old_lo = std::move(lo_);
  auto old_time = std::move(time_);
  hi_.assign(capacity, 0);
  lo_.assign(capacity, 0);
  time_.assign(capacity, 0);
  size_ = 0;
  for (std::size_t i = 0; i < old_hi.size(); ++i) {
    if (!is_empty(old_hi[i], old_lo[i])) insert_unchecked({old_hi[i], old_lo[i]}, old_time[i]);
  }
}

bool TraceIdStore::insert_unchecked(TraceKey key, std::uint32_t seen_at) {
  std::size_t slot = slot_of(key);
  while (!is_empty(hi_[slot], lo_[slot])) {
    if (hi_[slot] == key.hi && lo_[slot] == key.lo) return false;
    slot = slot + 1 == hi_.size() ? 0 : slot + 1;
  }
  hi_[slot] = key.hi;
  lo_[slot] = key.lo;
  time_[slot] = seen_at;
  ++size_;
  return true;
}

bool TraceIdStore::contains(TraceKey key) const {
  key = non_zero(key);
  std::size_t slot = slot_of(key);
  while (!is_empty(hi_[slot], lo_[slot])) {
    if (hi_[slot] == key.hi && lo_[slot] == key.lo) return true;
    slot = slot + 1 == hi_.size() ? 0 : slot + 1;
  }
  return false;
}

bool TraceIdStore::insert(TraceKey key, std::uint32_t seen_at) {
  key = non_zero(key);
  if (contains(key)) return false;
  if (size_ >= max_ids_) evict_oldest();
  // Keep the load at most 0.8; grow by 1.5x but never past what max_ids needs.
  if ((size_ + 1) * 5 > hi_.size() * 4) {
    const std::size_t needed = max_ids_ * 5 / 4 + 1;
    rehash(std::min(std::max(hi_.size() * 3 / 2, std::size_t{64}), needed));
  }
  return insert_unchecked(key, seen_at);
}

void TraceIdStore::evict_oldest() {
  std::vector<std::uint32_t> times;
  times.reserve(size_);
  for (std::size_t i = 0; i < hi_.size(); ++i) {
    if (!is_empty(hi_[i], lo_[i])) times.push_back(time_[i]);
  }
  const std::size_t drop = std::max<std::size_t>(times.size() / 16, 1);
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   times.end());
  const std::uint32_t cutoff = times[drop - 1];
  // Evicts every entry at or before the cutoff time.
  for (std::size_t i = 0; i < hi_.size(); ++i) {
    if (!is_empty(hi_[i], lo_[i]) && time_[i] <= cutoff) hi_[i] = lo_[i] = 0;
  }
  rehash(hi_.size());
}

std::size_t TraceIdStore::evict_older_than(std::uint32_t cutoff) {
  const std::size_t before = size_;
  for (std::size_t i = 0; i < hi_.size(); ++i) {
    if (!is_empty(hi_[i], lo_[i]) && time_[i] < cutoff) hi_[i] = lo_[i] = 0;
  }
  rehash(hi_.size());
  return before - size_;
}

void TraceIdStore::clear() {
  hi_.clear();
  lo_.clear();
  time_.clear();
  rehash(64);
}

std::size_t TraceIdStore::memory_bytes() const {
  return hi_.capacity() * 8 + lo_.capacity() * 8 + time_.capacity() * 4 + sizeof(*this);
}

Result<void> TraceIdStore::save(const std::string& path) const {
  std::string out;
  out.reserve(24 + size_ * kRecordBytes + 8);
  out.append(kMagic, sizeof(kMagic));
  put<std::uint32_t>(out, kVersion);
  put<std::uint64_t>(out, size_);
  for (std::size_t i = 0; i < hi_.size(); ++i) {
    if (is_empty(hi_[i], lo_[i])) continue;
    put<std::uint64_t>(out, hi_[i]);
    put<std::uint64_t>(out, lo_[i]);
    put<std::uint32_t>(out, time_[i]);
  }
  put<std::uint64_t>(out, fnv1a(out));
  return write_file_atomically(path, out);
}

Result<TraceIdStore> TraceIdStore::load(const std::string& path, std::size_t max_ids) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot open " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  if (data.size() < 28 || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0) {
    return make_error(path + ": not an observo trace-ID file");
  }
  if (get<std::uint32_t>(data.data() + 8) != kVersion)
    return make_error(path + ": unknown version");
  const auto count = get<std::uint64_t>(data.data() + 12);
  if (count > (data.size() - 28) / kRecordBytes || 20 + count * kRecordBytes + 8 != data.size()) {
    return make_error(path + ": truncated");
  }
  const std::string_view body(data.data(), data.size() - 8);
  if (fnv1a(body) != get<std::uint64_t>(data.data() + data.size() - 8)) {
    return make_error(path + ": checksum mismatch");
  }
  TraceIdStore store(max_ids);
  store.rehash(std::min<std::size_t>(count, store.max_ids_) * 5 / 4 + 64);
  for (std::uint64_t i = 0; i < count; ++i) {
    const char* record = data.data() + 20 + i * kRecordBytes;
    store.insert({get<std::uint64_t>(record), get<std::uint64_t>(record + 8)},
                 get<std::uint32_t>(record + 16));
  }
  return store;
}

Result<void> write_file_atomically(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("cannot create " + tmp + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < data.size()) {
    const auto n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error("cannot write " + tmp + ": " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return make_error("cannot fsync " + tmp + ": " + reason);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    return make_error("cannot rename " + tmp + ": " + reason);
  }
  const auto dir = std::filesystem::path(path).parent_path();
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

}  // namespace observo::xray

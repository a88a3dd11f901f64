// Raw-pointer writing into the caller's std::string. Appending piece by piece through
// std::string costs a capacity check and a call per piece, about 15 per sample line; on the
// scrape path that was most of the encoding time. Instead, an encoder asks for room for a whole
// line (a bound it computes from the sizes of the strings it will write), writes through a
// char*, and hands the pointer back. The string is grown in chunks, so the zero-filling that
// std::string::resize does stays in cache; finish() cuts it to the bytes written.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace observo::metrics::detail {

class OutputBuffer {
 public:
  explicit OutputBuffer(std::string& out) : out_(out), used_(out.size()) {}
  ~OutputBuffer() { finish(); }
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  // A pointer to at least `n` writable bytes at the end of what was written; valid until the
  // next call to ensure().
  char* ensure(std::size_t n) {
    if (out_.size() - used_ < n) grow(n);
    return out_.data() + used_;
  }

  // Marks everything before `end` (a pointer from ensure(), advanced) as written.
  void commit(const char* end) { used_ = static_cast<std::size_t>(end - out_.data()); }

  void append(std::string_view text) {
    char* p = ensure(text.size());
    std::memcpy(p, text.data(), text.size());
    commit(p + text.size());
  }

  // Cuts the string to what was written. Also done by the destructor.
  void finish() { out_.resize(used_); }

 private:
  static constexpr std::size_t kChunk = 64 * 1024;

  void grow(std::size_t n) {
    const std::size_t want = used_ + std::max(n, kChunk);
    if (want > out_.capacity()) out_.reserve(std::max(want, 2 * out_.capacity()));
    out_.resize(want);
  }

  std::string& out_;
  std::size_t used_;
};

// Copies `text` to `p`. Names and label names are mostly 4 to 16 bytes: two overlapping
// fixed-size copies (which compile to plain moves) beat a call to memcpy for them.
inline char* put(char* p, std::string_view text) {
  const char* data = text.data();
  const std::size_t size = text.size();
  if (size >= 8 && size <= 16) {
    std::uint64_t head;
    std::uint64_t tail;
    std::memcpy(&head, data, 8);
    std::memcpy(&tail, data + size - 8, 8);
    std::memcpy(p, &head, 8);
    std::memcpy(p + size - 8, &tail, 8);
  } else if (size >= 4 && size < 8) {
    std::uint32_t head;
    std::uint32_t tail;
    std::memcpy(&head, data, 4);
    std::memcpy(&tail, data + size - 4, 4);
    std::memcpy(p, &head, 4);
    std::memcpy(p + size - 4, &tail, 4);
  } else {
    if (size != 0) std::memcpy(p, data, size);  // data may be null when size is 0
  }
  return p + size;
}

}  // namespace observo::metrics::detail

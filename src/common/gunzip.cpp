#include "common/gunzip.h"

#include <zlib.h>

#include <algorithm>

namespace observo::common {

Result<std::string> gunzip(std::string_view data, std::size_t max_bytes) {
  z_stream stream{};
  // 32 + MAX_WBITS: detect gzip or zlib from the header.
  if (inflateInit2(&stream, 32 + MAX_WBITS) != Z_OK) return make_error("gunzip: out of memory");
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(std::min<std::size_t>(data.size(), UINT32_MAX));
  std::size_t fed = stream.avail_in;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out.size() >= max_bytes + 1) break;
    const std::size_t room = std::min<std::size_t>(64 * 1024, max_bytes + 1 - out.size());
    const std::size_t before = out.size();
    out.resize(before + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    stream.avail_out = static_cast<uInt>(room);
    if (stream.avail_in == 0 && fed < data.size()) {
      const std::size_t next = std::min<std::size_t>(data.size() - fed, UINT32_MAX);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + fed));
      stream.avail_in = static_cast<uInt>(next);
      fed += next;
    }
    rc = inflate(&stream, Z_NO_FLUSH);
    out.resize(before + room - stream.avail_out);
    if (rc == Z_BUF_ERROR && stream.avail_in == 0 && fed >= data.size()) break;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) break;
  }
  inflateEnd(&stream);
  if (out.size() > max_bytes)
    return make_error("gunzip: data expands to more than " + std::to_string(max_bytes) + " bytes");
  if (rc != Z_STREAM_END) {
    return make_error(std::string("gunzip: ") +
                      (rc == Z_OK || rc == Z_BUF_ERROR ? "truncated data" : "malformed data"));
  }
  return out;
}

}  // namespace observo::common

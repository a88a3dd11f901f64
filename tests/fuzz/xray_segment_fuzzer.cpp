// libFuzzer target for the X-Ray input parsers: daemon datagrams, segment documents (with
// subsegments), URLs and trace/segment IDs. Built with clang++ (tests/fuzz/CMakeLists.txt);
// ctest runs it for a bounded time.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sources/xray/id_store.h"
#include "sources/xray/segment.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto body = observo::xray::split_datagram(input); body) {
    (void)observo::xray::parse_segment(*body);
  }
  if (const auto segment = observo::xray::parse_segment(input); segment) {
    (void)observo::xray::normalize_url(segment->url, true);
    (void)observo::xray::segment_key(segment->trace_id, segment->id);
    (void)segment->duration_ms();
  }
  (void)observo::xray::normalize_url(input, true);
  (void)observo::xray::parse_trace_id(input);
  return 0;
}

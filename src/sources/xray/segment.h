// The X-Ray segment document, reduced to what the RED metrics need.
//
// One parser serves both inputs: the Document strings of BatchGetTraces and the bodies of the
// X-Ray daemon's UDP datagrams. It is lenient (unknown fields, strings where numbers were
// expected) but never trusts its input: it is fuzzed (tests/fuzz/) and returns an error instead
// of throwing.
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "observo/common/result.h"

namespace observo::xray {

// A downstream call found in a segment's subsegments (namespace "remote" or "aws").
struct DownstreamCall {
  std::string id;      // the subsegment id (a downstream segment's parent_id may point here)
  std::string target;  // the subsegment name: a host, an AWS service, a peer service
  bool error = false;
  bool fault = false;
  bool throttle = false;
};

struct SegmentRecord {
  std::string trace_id;
  std::string id;
  std::string parent_id;
  std::string name;            // the service
  bool is_subsegment = false;  // an independent subsegment (type "subsegment")
  bool in_progress = false;
  bool inferred = false;
  double start_time = 0;  // epoch seconds
  double end_time = 0;
  std::string method;
  std::string url;
  std::string client_ip;
  int status = 0;
  bool error = false;
  bool fault = false;
  bool throttle = false;
  std::vector<DownstreamCall> calls;
  std::vector<std::string> local_subsegment_ids;  // for parent links across segments

  // Rounded to the microsecond, the precision of the SDKs' timestamps, so that 0.178 s stays
  // 178 ms instead of 177.99997 after the subtraction of two epoch floats.
  double duration_seconds() const {
    return end_time > start_time ? std::round((end_time - start_time) * 1e6) / 1e6 : 0;
  }
  double duration_ms() const {
    return end_time > start_time ? std::round((end_time - start_time) * 1e6) / 1e3 : 0;
  }
};

// Parses one segment document (JSON text). Needs name, id, trace_id and start_time, like the
// daemon and the OTel receiver; embedded subsegments are walked recursively (bounded depth).
Result<SegmentRecord> parse_segment(std::string_view document);

// Splits a daemon datagram at the first '\n', checks the header ({"format":"json",
// "version":1}, format case-insensitive) and returns the body.
Result<std::string_view> split_datagram(std::string_view datagram);

// "https://h/a/b?x=1#f" -> "https://h/a/b"; with templating, path segments that are decimal
// numbers or UUIDs become "{id}".
std::string normalize_url(std::string_view url, bool templating);

}  // namespace observo::xray

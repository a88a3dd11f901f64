#include "sources/xray/segment.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace observo::xray {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 32;

std::string get_string(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool get_bool(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

// Numbers may arrive as numbers or (from lenient SDKs) as strings.
double get_number(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) return 0;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

void walk_subsegments(const json& parent, SegmentRecord& record, int depth) {
  const auto it = parent.find("subsegments");
  if (it == parent.end() || !it->is_array() || depth > kMaxDepth) return;
  for (const auto& sub : *it) {
    if (!sub.is_object()) continue;
    const auto ns = get_string(sub, "namespace");
    if (ns == "remote" || ns == "aws") {
      DownstreamCall call;
      call.id = get_string(sub, "id");
      call.target = get_string(sub, "name");
      call.error = get_bool(sub, "error");
      call.fault = get_bool(sub, "fault");
      call.throttle = get_bool(sub, "throttle");
      const auto http = sub.find("http");
      if (http != sub.end() && http->is_object()) {
        const auto response = http->find("response");
        if (response != http->end() && response->is_object()) {
          const int status = static_cast<int>(get_number(*response, "status"));
          call.error = call.error || (status >= 400 && status < 500);
          call.fault = call.fault || status >= 500;
          call.throttle = call.throttle || status == 429;
        }
      }
      if (!call.target.empty() && call.target != record.name) record.calls.push_back(call);
    } else {
      record.local_subsegment_ids.push_back(get_string(sub, "id"));
    }
    walk_subsegments(sub, record, depth + 1);
  }
}

}  // namespace

Result<SegmentRecord> parse_segment(std::string_view document) {
  json doc = json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return make_error("segment: not JSON");
  if (!doc.is_object()) return make_error("segment: not a JSON object");
  SegmentRecord record;
  record.name = get_string(doc, "name");
  record.id = get_string(doc, "id");
  record.trace_id = get_string(doc, "trace_id");
  record.parent_id = get_string(doc, "parent_id");
  if (record.name.empty() || record.id.empty() || record.trace_id.empty()) {
    return make_error("segment: name, id and trace_id are required");
  }
  if (!doc.contains("start_time")) return make_error("segment: start_time is required");
  record.start_time = get_number(doc, "start_time");
  record.end_time = get_number(doc, "end_time");
  record.in_progress = get_bool(doc, "in_progress");
  record.inferred = get_bool(doc, "inferred");
  record.is_subsegment = get_string(doc, "type") == "subsegment";
  record.error = get_bool(doc, "error");
  record.fault = get_bool(doc, "fault");
  record.throttle = get_bool(doc, "throttle");
  const auto http = doc.find("http");
  if (http != doc.end() && http->is_object()) {
    const auto request = http->find("request");
    if (request != http->end() && request->is_object()) {
      record.method = get_string(*request, "method");
      record.url = get_string(*request, "url");
      record.client_ip = get_string(*request, "client_ip");
    }
    const auto response = http->find("response");
    if (response != http->end() && response->is_object()) {
      const double status = get_number(*response, "status");
      if (status >= 100 && status < 1000) record.status = static_cast<int>(status);
    }
  }
  walk_subsegments(doc, record, 0);
  return record;
}

Result<std::string_view> split_datagram(std::string_view datagram) {
  const auto newline = datagram.find('\n');
  if (newline == std::string_view::npos || newline + 1 >= datagram.size()) {
    return make_error("datagram: missing header or segment");
  }
  const json header = json::parse(datagram.substr(0, newline), nullptr, false);
  if (header.is_discarded() || !header.is_object()) return make_error("datagram: bad header");
  auto format = get_string(header, "format");
  std::transform(format.begin(), format.end(), format.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto version = header.find("version");
  if (format != "json" || version == header.end() || !version->is_number_integer() ||
      version->get<std::int64_t>() != 1) {
    return make_error("datagram: header is not {\"format\":\"json\",\"version\":1}");
  }
  return datagram.substr(newline + 1);
}

namespace {

bool is_number_segment(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool is_uuid_segment(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  }
  return true;
}

}  // namespace

std::string normalize_url(std::string_view url, bool templating) {
  url = url.substr(0, std::min(url.find('?'), url.find('#')));
  if (!templating) return std::string(url);
  // Keep scheme and authority, template the path segments.
  std::size_t path_start = 0;
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    path_start = std::min(url.find('/', scheme + 3), url.size());
  }
  if (path_start < url.size() && url[path_start] != '/') return std::string(url);
  std::string out(url.substr(0, path_start));
  std::size_t pos = path_start;
  while (pos < url.size()) {
    const auto end = std::min(url.find('/', pos + 1), url.size());
    const auto segment = url.substr(pos + 1, end - pos - 1);
    out += '/';
    out += (is_number_segment(segment) || is_uuid_segment(segment)) ? std::string_view("{id}")
                                                                    : segment;
    pos = end;
  }
  return out;
}

}  // namespace observo::xray

// JSON for integrators who want /metrics without a Prometheus parser. Written by hand into the
// output string (a DOM node per sample would cost more than the rest of the scrape); the schema
// is in docs/formats.md and the tests parse the output with nlohmann::json.
#include <cmath>
#include <string>
#include <string_view>

#include "metrics/encoders/escape.h"
#include "metrics/encoders/number.h"
#include "metrics/encoders/output_buffer.h"
#include "metrics/encoders/sample_lines.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

using detail::put;

// Room for the fixed parts of a sample and of one label (`"":"",`).
constexpr std::size_t kSampleOverhead = 48;
constexpr std::size_t kLabelOverhead = 6;

std::size_t json_bound(std::string_view text) { return detail::kJsonExpansion * text.size(); }

char* write_string(char* p, std::string_view text) {
  *p++ = '"';
  p = detail::write_json_string_body(p, text);
  *p++ = '"';
  return p;
}

char* write_member(char* p, std::string_view name, std::string_view value) {
  p = write_string(p, name);
  *p++ = ':';
  return write_string(p, value);
}

// JSON has no NaN or infinities: those become the strings Prometheus text uses.
char* write_value(char* p, double value) {
  if (std::isfinite(value)) return detail::write_number(p, value);
  *p++ = '"';
  p = detail::write_number(p, value);
  *p++ = '"';
  return p;
}

std::size_t sample_bound(std::string_view family_name, const detail::SampleLine& line) {
  std::size_t bound = json_bound(family_name) + line.suffix.size() + kSampleOverhead +
                      detail::kEscapeSlack + detail::kMaxNumberLength +
                      json_bound(line.extra_name) + json_bound(line.extra_value);
  for (const Label& label : line.series->labels) {
    bound += json_bound(label.name) + json_bound(label.value) + kLabelOverhead;
  }
  return bound;
}

void write_sample(detail::OutputBuffer& out, std::string_view family_name,
                  const detail::SampleLine& line, bool first) {
  char* p = out.ensure(sample_bound(family_name, line));
  p = put(p, first ? "\n{\"name\":\"" : ",\n{\"name\":\"");
  p = detail::write_json_string_body(p, family_name);
  p = put(p, line.suffix);
  p = put(p, "\",\"labels\":{");
  bool first_label = true;
  for (const Label& label : line.series->labels) {
    if (line.shadowed(label)) continue;
    if (!first_label) *p++ = ',';
    first_label = false;
    p = write_member(p, label.name, label.value);
  }
  if (!line.extra_name.empty()) {
    if (!first_label) *p++ = ',';
    p = write_member(p, line.extra_name, line.extra_value);
  }
  p = put(p, "},\"value\":");
  p = write_value(p, line.value);
  *p++ = '}';
  out.commit(p);
}

void write_family(detail::OutputBuffer& out, const FamilyView& view, bool first) {
  const Family& meta = *view.meta;
  char* p = out.ensure(json_bound(meta.name) + json_bound(meta.help) + detail::kEscapeSlack + 64);
  p = put(p, first ? "\n{\"name\":" : ",\n{\"name\":");
  p = write_string(p, meta.name);
  p = put(p, ",\"type\":\"");
  p = put(p, type_name(meta.type));
  p = put(p, "\",\"help\":");
  p = write_string(p, meta.help);
  p = put(p, ",\"samples\":[");
  out.commit(p);
  bool first_sample = true;
  detail::for_each_sample(view, [&](const detail::SampleLine& line) {
    write_sample(out, meta.name, line, first_sample);
    first_sample = false;
  });
  out.append("]}");
}

// Bytes per label beyond name and value (`"":"",`) and per sample beyond name and labels.
constexpr std::size_t kJsonPerLabel = 6;
constexpr std::size_t kJsonPerLine = 48;

}  // namespace

void encode_json(const Exposition& exposition, std::string& out) {
  out.reserve(out.size() + detail::estimate_size(exposition, kJsonPerLabel, kJsonPerLine));
  detail::OutputBuffer buffer(out);
  buffer.append("{\"families\":[");
  bool first = true;
  for (const FamilyView& view : exposition.families) {
    if (view.meta == nullptr || view.series_count() == 0) continue;
    write_family(buffer, view, first);
    first = false;
  }
  buffer.append("]}\n");
  buffer.finish();
}

}  // namespace observo::metrics

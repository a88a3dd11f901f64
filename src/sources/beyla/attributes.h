// OTLP attribute values as Prometheus label text, and lookups in KeyValue lists: shared by the
// metric translator and the span metrics.
#pragma once

#include <string>
#include <string_view>

#include "google/protobuf/repeated_field.h"
#include "opentelemetry/proto/common/v1/common.pb.h"

namespace observo::beyla {

using Attributes = google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>;

// The label text of a value, as the collector's Prometheus exporter writes it: strings as they
// are, booleans "true"/"false", integers in decimal, doubles in shortest round-trip form,
// arrays and maps as compact JSON, bytes as base64. An unset value is "".
std::string attribute_text(const opentelemetry::proto::common::v1::AnyValue& value);

// The value of the first attribute named `key`, or nullptr.
const opentelemetry::proto::common::v1::AnyValue* find_attribute(const Attributes& attributes,
                                                                 std::string_view key);

}  // namespace observo::beyla

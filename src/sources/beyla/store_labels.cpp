#include "sources/beyla/store_labels.h"

#include <algorithm>

#include "sources/beyla/naming.h"

namespace observo::beyla {
namespace {

constexpr std::size_t kMaxCachedNames = 16'384;

void append_key(std::string& key, std::string_view name, std::string_view value) {
  key.append(name);
  key += '=';
  key.append(value);
  key += '\xff';  // never inside UTF-8 text
}

void value_text(const opentelemetry::proto::common::v1::AnyValue& value, std::string& out) {
  if (value.value_case() == opentelemetry::proto::common::v1::AnyValue::kStringValue) {
    out.assign(value.string_value());
  } else {
    out = attribute_text(value);
  }
}

}  // namespace

void truncate_label_value(std::string& value) {
  if (value.size() <= kMaxLabelValueBytes) return;
  std::size_t cut = kMaxLabelValueBytes;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  value.resize(cut);
}

const std::string& LabelNameCache::get(const std::string& key) {
  if (const auto it = names_.find(key); it != names_.end()) return it->second;
  return names_.emplace(key, prometheus_label_name(key)).first->second;
}

void LabelNameCache::trim() {
  if (names_.size() >= kMaxCachedNames) names_.clear();
}

metrics::Labels labels_from_pairs(std::vector<std::pair<std::string, std::string>> pairs,
                                  LabelNameCache& names) {
  struct Named {
    std::string name;
    std::string key;
    std::string value;
  };
  std::vector<Named> named;
  named.reserve(pairs.size());
  for (auto& [key, value] : pairs) {
    if (value.empty()) continue;
    std::string name = names.get(key);
    if (name.empty()) continue;
    named.push_back({std::move(name), std::move(key), std::move(value)});
  }
  std::sort(named.begin(), named.end(), [](const Named& a, const Named& b) {
    return a.name != b.name ? a.name < b.name : a.key < b.key;
  });
  metrics::Labels out;
  for (auto& n : named) {
    if (!out.empty() && out.back().name == n.name) {
      out.back().value += ';';
      out.back().value += n.value;
    } else {
      out.push_back({std::move(n.name), std::move(n.value)});
    }
  }
  for (auto& label : out) truncate_label_value(label.value);
  return out;
}

metrics::Labels overlay(const metrics::Labels& base, const metrics::Labels& over) {
  metrics::Labels out;
  out.reserve(base.size() + over.size());
  std::size_t i = 0, j = 0;
  while (i < base.size() || j < over.size()) {
    if (j == over.size() || (i < base.size() && base[i].name < over[j].name)) {
      out.push_back(base[i++]);
    } else {
      if (i < base.size() && base[i].name == over[j].name) ++i;
      out.push_back(over[j++]);
    }
  }
  return out;
}

std::string labels_key(const metrics::Labels& labels) {
  std::string key;
  for (const auto& label : labels) append_key(key, label.name, label.value);
  return key;
}

bool PointLabels::build(const Attributes& attributes, const metrics::Labels& fixed,
                        const metrics::Labels& defaults, std::string_view reserved,
                        LabelNameCache& names) {
  used_ = 0;
  for (const auto& kv : attributes) {
    const std::string& name = names.get(kv.key());
    if (name.empty() || name == reserved) continue;
    if (used_ == entries_.size()) entries_.emplace_back();
    Entry& entry = entries_[used_];
    value_text(kv.value(), entry.value);
    if (entry.value.empty()) continue;
    entry.name = &name;
    entry.key = &kv.key();
    ++used_;
  }
  // Sorting moves strings; with a handful of attributes the swaps are cheap (SSO or buffer swap).
  std::sort(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(used_),
            [](const Entry& a, const Entry& b) {
              return *a.name != *b.name ? *a.name < *b.name : *a.key < *b.key;
            });
  // Collisions: fold later values into the first entry of each name.
  std::size_t unique = 0;
  for (std::size_t i = 0; i < used_; ++i) {
    if (unique > 0 && *entries_[unique - 1].name == *entries_[i].name) {
      entries_[unique - 1].value += ';';
      entries_[unique - 1].value += entries_[i].value;
      continue;
    }
    if (unique != i) std::swap(entries_[unique], entries_[i]);
    ++unique;
  }
  for (std::size_t i = 0; i < unique; ++i) truncate_label_value(entries_[i].value);

  // Three sorted lists, by precedence fixed > attributes > defaults.
  merged_.clear();
  std::size_t f = 0, a = 0, d = 0;
  while (f < fixed.size() || a < unique || d < defaults.size()) {
    std::string_view name;
    bool have = false;
    const auto consider = [&](std::string_view candidate) {
      if (!have || candidate < name) name = candidate;
      have = true;
    };
    if (f < fixed.size()) consider(fixed[f].name);
    if (a < unique) consider(*entries_[a].name);
    if (d < defaults.size()) consider(defaults[d].name);
    std::string_view value;
    bool chosen = false;
    if (f < fixed.size() && fixed[f].name == name) {
      value = fixed[f++].value;
      chosen = true;
    }
    if (a < unique && *entries_[a].name == name) {
      if (!chosen) value = entries_[a].value;
      chosen = true;
      ++a;
    }
    if (d < defaults.size() && defaults[d].name == name) {
      if (!chosen && defaults[d].name != reserved) {
        value = defaults[d].value;
        chosen = true;
      }
      ++d;
    }
    if (chosen) merged_.emplace_back(name, value);
  }
  if (merged_.size() > kMaxLabelsPerSeries) return false;
  key_.clear();
  for (const auto& [name, value] : merged_) append_key(key_, name, value);
  return true;
}

metrics::Labels PointLabels::labels() const {
  metrics::Labels out;
  out.reserve(merged_.size());
  for (const auto& [name, value] : merged_) out.push_back({std::string(name), std::string(value)});
  return out;
}

}  // namespace observo::beyla
